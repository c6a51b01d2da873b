package dev.hotpatch.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the live engine's injector (engine/bin/ARCH/hpinject.exe) on a process: directly on Windows, through
 * {@code wine} elsewhere (the process then runs under Wine, and PID is the Windows process id it sees). Reads its
 * answer: sentences for people and {@code @key name=value ...} lines for machines, the last one
 * {@code @result N}. Wine's own exit status is not trusted; the {@code @result} line is.
 */
final class LiveEngine {
    private LiveEngine() {}

    /** What the engine answered. */
    record Answer(int result, List<String> sentences, List<Fact> facts) {
        Map<String, String> first(String kind) {
            return facts.stream().filter(f -> f.kind.equals(kind)).findFirst().map(Fact::fields).orElse(Map.of());
        }
    }

    /** One {@code @kind a=b c=d} line. */
    record Fact(String kind, Map<String, String> fields) {}

    static final boolean WINDOWS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

    /**
     * The directory holding x64/, x86/ and arm64/: the system property {@code hotpatch.engineDir}, else the
     * environment variable {@code HOTPATCH_ENGINE_DIR}, else engine/bin of the checkout this jar was built in.
     */
    static Path engineDir() throws Errors.InputException {
        String configured = System.getProperty("hotpatch.engineDir", System.getenv("HOTPATCH_ENGINE_DIR"));
        if (configured != null && !configured.isEmpty()) {
            return Path.of(configured);
        }
        try {
            Path code = Path.of(LiveEngine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // cli/target/hotpatch.jar or cli/target/classes -> the checkout's root
            Path root = code.getParent().getParent().getParent();
            Path dir = root.resolve("engine/bin");
            if (Files.isDirectory(dir)) {
                return dir;
            }
        } catch (Exception e) {
            // fall through to the sentence below
        }
        throw new Errors.InputException("cannot find the live engine's binaries; set HOTPATCH_ENGINE_DIR to the "
                + "directory that holds x64/hpinject.exe (engine/bin in a checkout).", null);
    }

    /** A path as the injector must see it: as is on Windows, on Wine's Z: drive elsewhere. */
    static String windowsPath(Path p) {
        String abs = p.toAbsolutePath().normalize().toString();
        return WINDOWS ? abs : "Z:" + abs.replace('/', '\\');
    }

    static Answer run(String arch, List<String> arguments) throws IOException, InterruptedException,
            Errors.InputException {
        Path injector = engineDir().resolve(arch).resolve("hpinject.exe");
        if (!Files.isRegularFile(injector)) {
            throw new Errors.InputException("the live engine for " + arch + " is missing: " + injector
                    + " (build it with engine/build.sh).", null);
        }
        List<String> command = new ArrayList<>();
        if (!WINDOWS) {
            command.add("wine");
        }
        command.add(injector.toString());
        command.addAll(arguments);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (!WINDOWS) {
            pb.environment().putIfAbsent("WINEDEBUG", "-all");
        }
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new Errors.InputException(WINDOWS ? "cannot run " + injector + ": " + e.getMessage()
                    : "cannot run wine, which runs the live engine on this system; install it (Debian: apt-get "
                    + "install wine).", null);
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
        }
        return parse(out);
    }

    static Answer parse(String output) {
        int result = ExitCodes.ERROR;
        boolean sawResult = false;
        List<String> sentences = new ArrayList<>();
        List<Fact> facts = new ArrayList<>();
        for (String raw : output.split("\\R")) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("hpinject: ")) {
                line = line.substring("hpinject: ".length());
            }
            if (!line.startsWith("@")) {
                sentences.add(line);
                continue;
            }
            String[] words = line.substring(1).split(" ");
            Map<String, String> fields = new LinkedHashMap<>();
            for (int i = 1; i < words.length; i++) {
                int eq = words[i].indexOf('=');
                if (eq > 0) {
                    fields.put(words[i].substring(0, eq), words[i].substring(eq + 1));
                } else if (!fields.isEmpty()) { // a value with spaces (a module path): continue the last field
                    String last = fields.keySet().stream().reduce((a, b) -> b).orElseThrow();
                    fields.put(last, fields.get(last) + " " + words[i]);
                }
            }
            if (words[0].equals("result") && words.length > 1) {
                try {
                    result = Integer.parseInt(words[1]);
                    sawResult = true;
                } catch (NumberFormatException e) {
                    result = ExitCodes.ERROR;
                }
                continue;
            }
            facts.add(new Fact(words[0], fields));
        }
        if (!sawResult) {
            sentences.add("the live engine gave no answer" + (output.isBlank() ? "" : ": " + output.strip()));
        }
        return new Answer(result, sentences, facts);
    }
}

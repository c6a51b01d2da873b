package dev.hotpatch.differ.functions;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Function names as compilers write them, and the forms the differ compares: source-level names
 * ({@code Triangle::area} for {@code _ZNK8Triangle4areaEi} or {@code ?area@Triangle@@UEBAHH@Z}) and matching
 * keys with the build-dependent clone numbers folded ({@code f.constprop.3} and {@code f.constprop.0} are
 * the same clone of {@code f}).
 */
public final class Names {
    private static final Pattern CLONE_NUMBER =
            Pattern.compile("\\.(constprop|isra|part|lto_priv|cold|llvm)\\.[0-9]+");
    private static final Pattern LLVM_HASH = Pattern.compile("\\.llvm\\.[0-9]+$");
    private static final Pattern COLD = Pattern.compile("^(.+)\\.cold(\\.[0-9]+)?$");

    private Names() {}

    /** The matching key: the symbol with clone numbers folded, so that two builds' clones meet. */
    public static String matchKey(String symbol) {
        String s = LLVM_HASH.matcher(symbol).replaceAll("");
        return CLONE_NUMBER.matcher(s).replaceAll(".$1");
    }

    private static final Pattern NUMBER_PART = Pattern.compile("\\.[0-9]+(?=\\.|$)");

    /**
     * Whether a symbol carries numbers the compiler assigns per build ({@code counter.0}, {@code buf.1234},
     * {@code __PRETTY_FUNCTION__.3.lto_priv.7}): such a name does not say which global of the other build it is.
     */
    public static boolean compilerNumbered(String symbol) {
        return !symbol.startsWith("?") && NUMBER_PART.matcher(symbol).find(1);
    }

    /** The symbol with every compiler-assigned number replaced by {@code N}: the family it belongs to. */
    public static String numbersFolded(String symbol) {
        return NUMBER_PART.matcher(symbol).replaceAll(".N");
    }

    /** For gcc's cold part {@code f.cold} (or {@code f.cold.3}), the parent's symbol {@code f}; else null. */
    public static String coldParent(String symbol) {
        Matcher m = COLD.matcher(symbol);
        return m.matches() ? m.group(1) : null;
    }

    /**
     * Source-level qualified name without parameters: demangles the nested names of the Itanium (gcc, clang
     * on mingw) and Microsoft schemes, drops an x86 C symbol's leading underscore and stdcall/fastcall
     * decorations; returns anything else as it is.
     */
    public static String sourceName(String symbol) {
        String s = symbol;
        String suffix = "";
        int dot = s.indexOf('.', 1);
        if (dot > 0 && !s.startsWith("?")) {
            suffix = s.substring(dot);
            s = s.substring(0, dot);
        }
        if (s.startsWith("__Z")) {
            s = s.substring(1);
        }
        if (s.startsWith("_Z")) {
            String d = itanium(s);
            return (d == null ? s : d) + suffix;
        }
        if (s.startsWith("?")) {
            String d = microsoft(s);
            return (d == null ? s : d) + suffix;
        }
        if (s.startsWith("_") && !s.startsWith("__")) {
            s = s.substring(1);
        } else if (s.startsWith("@")) {
            s = s.substring(1);
        }
        int at = s.indexOf('@');
        if (at > 0 && s.substring(at + 1).chars().allMatch(Character::isDigit)) {
            s = s.substring(0, at);
        }
        return s + suffix;
    }

    /** _Z[N[K|V]...E]: the nested or plain name only, or null when it is not of that simple form. */
    static String itanium(String s) {
        int[] pos = {2};
        List<String> parts = new ArrayList<>();
        if (pos[0] < s.length() && s.charAt(pos[0]) == 'N') {
            pos[0]++;
            while (pos[0] < s.length() && "KVr".indexOf(s.charAt(pos[0])) >= 0) {
                pos[0]++;
            }
            while (pos[0] < s.length() && s.charAt(pos[0]) != 'E') {
                String part = sourcePart(s, pos, parts);
                if (part == null) {
                    return null;
                }
                parts.add(part);
            }
            if (pos[0] >= s.length()) {
                return null;
            }
        } else {
            String part = sourcePart(s, pos, parts);
            if (part == null) {
                return null;
            }
            parts.add(part);
        }
        return parts.isEmpty() ? null : String.join("::", parts);
    }

    private static String sourcePart(String s, int[] pos, List<String> before) {
        int p = pos[0];
        if (p >= s.length()) {
            return null;
        }
        char c = s.charAt(p);
        if (Character.isDigit(c)) {
            int n = 0;
            while (p < s.length() && Character.isDigit(s.charAt(p))) {
                n = n * 10 + (s.charAt(p++) - '0');
                if (n > 4096) {
                    return null;
                }
            }
            if (p + n > s.length()) {
                return null;
            }
            pos[0] = p + n;
            return s.substring(p, p + n);
        }
        if (s.startsWith("St", p)) {
            pos[0] = p + 2;
            return "std";
        }
        String last = before.isEmpty() ? null : before.get(before.size() - 1);
        if ((c == 'C' || c == 'D') && p + 1 < s.length() && last != null) {
            pos[0] = p + 2;
            return (c == 'D' ? "~" : "") + last;
        }
        return null;
    }

    /** ?name@scope@scope@@...: scope::scope::name, or null for operators, templates and special names. */
    static String microsoft(String s) {
        if (s.length() < 2 || s.charAt(1) == '?') {
            return null;
        }
        int end = s.indexOf("@@");
        if (end < 0) {
            return null;
        }
        String[] parts = s.substring(1, end).split("@");
        List<String> out = new ArrayList<>();
        for (int i = parts.length - 1; i >= 0; i--) {
            if (parts[i].isEmpty() || !parts[i].matches("[A-Za-z_$][A-Za-z0-9_$]*")) {
                return null;
            }
            out.add(parts[i]);
        }
        return String.join("::", out);
    }
}

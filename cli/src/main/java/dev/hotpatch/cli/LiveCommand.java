package dev.hotpatch.cli;

import picocli.CommandLine.Command;

/** {@code hotpatch live apply|rollback|status}: the live engine on a running process (engine/README.md). */
@Command(name = "live", mixinStandardHelpOptions = true,
        description = "Applies a patch to a running process, rolls the newest one back, or shows which patches "
                + "are applied, with the live engine (engine/). On Windows it runs the injector directly; elsewhere "
                + "it acts on a process running under Wine (PID is the Windows process id the process sees).",
        subcommands = {LiveApplyCommand.class, LiveRollbackCommand.class, LiveStatusCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  applied (or rolled back) and checked",
            "  5  verification failed: signature, tables, base identity or sequence; nothing written",
            "  6  not safe now: a thread stays inside a site or in the patch; nothing written",
            "  2  usage error",
            "  1  any other failure; nothing written"
        })
final class LiveCommand {
}

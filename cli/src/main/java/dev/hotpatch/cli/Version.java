package dev.hotpatch.cli;

import picocli.CommandLine;

/** Version from the jar manifest, or "development" when run from classes. */
final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = HotpatchCommand.class.getPackage().getImplementationVersion();
        return new String[] {"hotpatch " + (v != null ? v : "development")};
    }
}

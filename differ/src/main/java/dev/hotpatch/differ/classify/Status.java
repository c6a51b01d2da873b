package dev.hotpatch.differ.classify;

/** What became of a function or global between the old and the new image. */
public enum Status {
    SAME, CHANGED, NEW, DELETED;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}

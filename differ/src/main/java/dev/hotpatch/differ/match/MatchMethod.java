package dev.hotpatch.differ.match;

/** How a pair of functions (or globals) was matched, with the confidence the method deserves. */
public enum MatchMethod {
    NAME("name", 1.0),
    NAME_AND_STRUCTURE("name+structure", 0.98),
    ENTRY_POINT("entry point", 0.95),
    STRUCTURE("structure", 0.95),
    STRUCTURE_IN_ORDER("structure, in address order among identical clones", 0.85),
    PROPAGATION("propagation", 0.9),
    NEIGHBOURHOOD("neighbourhood", 0.8),
    SKELETON("structure without literal contents and callees", 0.75),
    CALL_SEQUENCE("position in a matched caller's calls", 0.65),
    ATTRIBUTES("attributes", 0.6);

    private final String label;
    private final double confidence;

    MatchMethod(String label, double confidence) {
        this.label = label;
        this.confidence = confidence;
    }

    public String label() {
        return label;
    }

    public double confidence() {
        return confidence;
    }
}

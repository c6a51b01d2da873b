package dev.hotpatch.signer.verify;

import dev.hotpatch.signer.Failure;
import dev.hotpatch.signer.FailureKind;

import java.util.LinkedHashSet;
import java.util.Set;

/** Collects failures while the checks run, in the order found. */
public final class Failures {
    private final Set<Failure> failures = new LinkedHashSet<>();

    public void add(FailureKind kind, String message) {
        failures.add(new Failure(kind, message));
    }

    public Set<Failure> all() {
        return failures;
    }
}

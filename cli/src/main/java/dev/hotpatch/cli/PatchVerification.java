package dev.hotpatch.cli;

import dev.hotpatch.io.Sha256;
import dev.hotpatch.packager.format.HotPatchTables;
import dev.hotpatch.packager.verify.PatchCheck;
import dev.hotpatch.packager.verify.PatchProblem;
import dev.hotpatch.pe.PeImage;
import dev.hotpatch.report.JsonWriter;
import dev.hotpatch.signer.Failure;
import dev.hotpatch.signer.SignatureDetails;
import dev.hotpatch.signer.VerificationReport;
import dev.hotpatch.signer.Verifier;
import dev.hotpatch.signer.VerifyOptions;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What {@code verify} (and {@code create}, after signing) reports: the signer's findings (signature, chain, key
 * usage, time) and the packager's (tables, base, sequence) side by side, every failure at once. The two halves
 * live in modules that do not know each other; this only puts their answers in one list.
 */
record PatchVerification(List<Problem> problems, Optional<SignatureDetails> signature, Optional<HotPatchTables> tables,
                         String patchSha256) {

    record Problem(String kind, String message) {}

    static PatchVerification of(byte[] patch, PeImage base, List<X509Certificate> anchors, long minSequence) {
        VerificationReport signed = Verifier.verify(patch, VerifyOptions.pinned(anchors));
        List<Problem> problems = new ArrayList<>();
        for (Failure f : signed.failures()) {
            problems.add(new Problem(f.kind().id(), f.message()));
        }
        PatchCheck.Checked checked = PatchCheck.run(patch, base, minSequence);
        for (PatchProblem p : checked.problems()) {
            problems.add(new Problem(p.kind().code(), p.message()));
        }
        return new PatchVerification(List.copyOf(problems), signed.details(), checked.tables(), Sha256.of(patch));
    }

    /**
     * The packager's half alone (tables, base identity, sequence), for {@code apply --no-verify}: the signature is
     * not checked, the structure always is.
     */
    static PatchVerification structureOnly(byte[] patch, PeImage base, long minSequence) {
        PatchCheck.Checked checked = PatchCheck.run(patch, base, minSequence);
        List<Problem> problems = new ArrayList<>();
        for (PatchProblem p : checked.problems()) {
            problems.add(new Problem(p.kind().code(), p.message()));
        }
        return new PatchVerification(List.copyOf(problems), Optional.empty(), checked.tables(), Sha256.of(patch));
    }

    boolean trusted() {
        return problems.isEmpty();
    }

    String toText(String patchName, String baseName) {
        StringBuilder out = new StringBuilder();
        out.append(trusted() ? (signature.isPresent() ? "verified: " + patchName + " is signed by a trusted key and made for "
                : "checked (signature NOT checked): " + patchName + " is well formed and made for ") + baseName + "\n"
                : "NOT verified: " + patchName + " (" + problems.size() + (problems.size() == 1 ? " problem" : " problems")
                        + ")\n");
        for (Problem p : problems) {
            out.append("  ").append(p.kind()).append(": ").append(p.message()).append('\n');
        }
        signature.ifPresent(s -> {
            out.append("signer: ").append(s.signerSubject()).append('\n');
            out.append("  issued by ").append(s.signerIssuer()).append(", serial ").append(s.signerSerial()).append('\n');
            out.append("  ").append(s.digestAlgorithm()).append(" with ").append(s.signatureAlgorithm())
                    .append(", image digest ").append(s.imageDigest()).append('\n');
            out.append(s.timestamp().map(t -> "  time-stamped " + t + " by " + s.timestampAuthority().orElse("?"))
                    .orElse("  not time-stamped")).append("; certificates checked at ").append(s.validationTime()).append('\n');
        });
        tables.ifPresent(t -> out.append(String.format(Locale.ROOT,
                "patch: sequence %d (supersedes from %d), %d functions, for base %s%n", t.header().sequenceNumber(),
                t.header().minSequenceNumber(), t.functions().size(), t.base().name())));
        return out.toString();
    }

    String toJson(String patchName, String baseName) {
        JsonWriter w = new JsonWriter().beginObject().field("schema_version", 1).field("patch", patchName)
                .field("patch_sha256", patchSha256).field("base", baseName);
        Sha256.of(java.nio.file.Path.of(baseName)).ifPresent(h -> w.field("base_sha256", h));
        w.field("verified", trusted());
        w.name("failures").beginArray();
        for (Problem p : problems) {
            w.beginObject().field("kind", p.kind()).field("message", p.message()).endObject();
        }
        w.endArray();
        signature.ifPresent(s -> {
            w.name("signature").beginObject().field("signer", s.signerSubject()).field("issuer", s.signerIssuer())
                    .field("serial", s.signerSerial()).field("digest_algorithm", s.digestAlgorithm())
                    .field("signature_algorithm", s.signatureAlgorithm()).field("image_digest", s.imageDigest());
            w.name("chain").beginArray();
            s.chain().forEach(w::value);
            w.endArray();
            w.name("timestamp");
            if (s.timestamp().isPresent()) {
                w.beginObject().field("time", s.timestamp().get().toString())
                        .field("authority", s.timestampAuthority().orElse("")).endObject();
            } else {
                w.nullValue();
            }
            w.field("validation_time", s.validationTime().toString()).endObject();
        });
        tables.ifPresent(t -> w.name("hot_patch").beginObject().field("sequence", t.header().sequenceNumber())
                .field("min_sequence", t.header().minSequenceNumber()).field("functions", t.functions().size())
                .field("base_name", t.base().name()).endObject());
        return w.endObject().toString();
    }
}

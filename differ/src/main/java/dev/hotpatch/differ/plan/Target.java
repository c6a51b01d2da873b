package dev.hotpatch.differ.plan;

/** What a reference from patch code leads to once the patch is applied. */
public sealed interface Target {
    /** A description for diagnostics (the fixup's name in the patch image). */
    String describe();

    /** An unchanged function of the base, at an RVA of the base (its entry plus the offset referred to). */
    record BaseFunction(long rva, String name) implements Target {
        public String describe() {
            return "function " + name;
        }
    }

    /** A global of the base (matched, same size and initial value), at an RVA of the base. */
    record BaseGlobal(long rva, String name) implements Target {
        public String describe() {
            return "global " + name;
        }
    }

    /** An import the base already has: its IAT slot in the base. */
    record BaseImport(long iatRva, String name) implements Target {
        public String describe() {
            return "import " + name;
        }
    }

    /** A call through an import thunk: the base's thunk for the same import. */
    record BaseImportThunk(long rva, String name) implements Target {
        public String describe() {
            return "import thunk " + name;
        }
    }

    /** Another function the patch carries (changed or new), at an offset into its range. */
    record PatchFunction(int function, int range, long offset, String name) implements Target {
        public String describe() {
            return "patch function " + name;
        }
    }

    /** A global only the new build has; the patch carries it (new RVA and size in the new image). */
    record NewGlobal(long newRva, long size, long offset, String name) implements Target {
        public String describe() {
            return "new global " + name;
        }
    }

    /** An import the base does not have; the patch imports it (directly, or through a thunk it carries). */
    record NewImport(String name, boolean throughThunk) implements Target {
        public String describe() {
            return "new import " + name;
        }

        /** The DLL part of {@code dll!function}. */
        public String dll() {
            return name.substring(0, name.indexOf('!'));
        }

        /** The function part of {@code dll!function} (or {@code #ordinal}). */
        public String function() {
            return name.substring(name.indexOf('!') + 1);
        }
    }

    /** Read-only data the patch carries a copy of (literals, jump tables): new RVA, length, offset into it. */
    record PatchData(long newRva, int length, long offset, boolean jumpTable) implements Target {
        public String describe() {
            return (jumpTable ? "jump table" : "literal") + String.format(" at new rva 0x%x", newRva);
        }
    }

    /** An address the base shares at the same RVA (its image base, headers). */
    record BaseAddress(long rva) implements Target {
        public String describe() {
            return String.format("base rva 0x%x", rva);
        }
    }

    /** Something the plan cannot place; the packager refuses the patch, naming it. */
    record Unresolved(String why) implements Target {
        public String describe() {
            return why;
        }
    }
}

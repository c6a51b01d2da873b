package dev.hotpatch.differ.functions;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which names carry numbers a compiler assigns per build, and the family they fold to. */
class CompilerNumberedNamesTest {

    @Test
    void numberedNames() {
        assertTrue(Names.compilerNumbered("total.0"));
        assertTrue(Names.compilerNumbered("buf.1234"));
        assertTrue(Names.compilerNumbered("__PRETTY_FUNCTION__.3.lto_priv.7"));
        assertTrue(Names.compilerNumbered("x.lto_priv.0"));
        assertEquals("__PRETTY_FUNCTION__.N.lto_priv.N", Names.numbersFolded("__PRETTY_FUNCTION__.3.lto_priv.7"));
        assertEquals(Names.numbersFolded("total.0"), Names.numbersFolded("total.12"));
    }

    @Test
    void ordinaryNamesAreNot() {
        assertFalse(Names.compilerNumbered("total"));
        assertFalse(Names.compilerNumbered("plums::total"));
        assertFalse(Names.compilerNumbered("?g_table@@3PAHA"));
        assertFalse(Names.compilerNumbered("v2.table"));
        assertFalse(Names.compilerNumbered(".5"), "a leading dot is not a number suffix");
        assertFalse(Names.compilerNumbered("x.5a"));
    }
}

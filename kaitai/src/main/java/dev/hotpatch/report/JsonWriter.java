package dev.hotpatch.report;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A small streaming JSON writer with stable, indented output, so reports are reproducible and diffable.
 * Numbers are written exactly (64-bit values never pass through a double) and as unsigned, since every
 * number a PE image holds is (an image base of 0xffffffffffff0000 must not print as -65536).
 */
public final class JsonWriter {
    private final StringBuilder out = new StringBuilder();
    private final Deque<Boolean> firstInScope = new ArrayDeque<>();
    private boolean afterName;

    public JsonWriter beginObject() {
        return open('{');
    }

    public JsonWriter endObject() {
        return close('}');
    }

    public JsonWriter beginArray() {
        return open('[');
    }

    public JsonWriter endArray() {
        return close(']');
    }

    public JsonWriter name(String name) {
        separate();
        string(name);
        out.append(": ");
        afterName = true;
        return this;
    }

    public JsonWriter value(String value) {
        separate();
        if (value == null) {
            out.append("null");
        } else {
            string(value);
        }
        return this;
    }

    public JsonWriter value(long value) {
        separate();
        out.append(Long.toUnsignedString(value));
        return this;
    }

    public JsonWriter value(boolean value) {
        separate();
        out.append(value);
        return this;
    }

    public JsonWriter nullValue() {
        separate();
        out.append("null");
        return this;
    }

    public JsonWriter field(String name, String value) {
        return name(name).value(value);
    }

    public JsonWriter field(String name, long value) {
        return name(name).value(value);
    }

    public JsonWriter field(String name, boolean value) {
        return name(name).value(value);
    }

    @Override
    public String toString() {
        return out + "\n";
    }

    private JsonWriter open(char bracket) {
        separate();
        out.append(bracket);
        firstInScope.push(true);
        return this;
    }

    private JsonWriter close(char bracket) {
        boolean empty = firstInScope.pop();
        if (!empty) {
            newline();
        }
        out.append(bracket);
        return this;
    }

    private void separate() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (!firstInScope.isEmpty()) {
            if (!firstInScope.peek()) {
                out.append(',');
            }
            firstInScope.pop();
            firstInScope.push(false);
            newline();
        }
    }

    private void newline() {
        out.append('\n');
        out.append("  ".repeat(firstInScope.size()));
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}

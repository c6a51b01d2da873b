#include "hp.h"

/* parse_digit throws Error for a negative input and Overflow (derived from Error) above 9. */
struct Error {
    int code;
};
struct Overflow : Error {
    int limit;
};

HP_NOINLINE int parse_digit(int c) {
    if (c < 0) {
        throw Error{c};
    }
    if (c > 9) {
        throw Overflow{{c}, 9};
    }
    return c;
}

/* The change: v2 has a new catch clause for Overflow before the one for Error. */
extern "C" HP_EXPORT HP_NOINLINE int parse(int c) {
    try {
        return parse_digit(c) * 10;
    } catch (const Error &e) {
        return -1000 + e.code;
    }
}

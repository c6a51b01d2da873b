#include "hp.h"

/* Constant-initialised objects that hold a vtable pointer and a pointer to a string literal, in .rdata (const)
 * and .data. They are the same in v1 and v2: only describe and adjust change, and both come first, so in v2
 * every function after them (the vtables' targets) and the literals after the changed one move. The objects'
 * bytes differ (the pointers moved); what they point at does not. */
extern "C" HP_EXPORT HP_NOINLINE int describe(int x) {
    const char *text = "rule set number two";   /* The change: "rule set one" in v1, "rule set number two" in v2. */
    return text[x & 7] * 100 + x;
}

/* The change: v2 grows (a loop instead of one multiplication). */
extern "C" HP_EXPORT HP_NOINLINE int adjust(int x) {
    int r = 1;
    for (int i = 0; i < x % 5; i++) {
        r = r * 3 + i;
    }
    return x * 7 + r;
}

struct Rule {
    constexpr Rule(const char *n, int w) : name(n), weight(w) {}
    virtual int apply(int x) const;
    const char *name;
    int weight;
};

struct Doubling : Rule {
    constexpr Doubling(const char *n, int w) : Rule(n, w) {}
    int apply(int x) const override;
};

HP_NOINLINE int Rule::apply(int x) const { return x + weight; }
HP_NOINLINE int Doubling::apply(int x) const { return 2 * x + weight; }

const Rule first("first rule", 3);
Doubling second("second rule", 5);
const Rule *const rules[2] = {&first, &second};

extern "C" HP_EXPORT HP_NOINLINE int apply_rule(int which, int x) { return rules[which & 1]->apply(x); }

extern "C" HP_EXPORT HP_NOINLINE int name_length(int which) {
    const char *p = rules[which & 1]->name;
    int n = 0;
    while (p[n]) {
        n++;
    }
    return n;
}

#include "hp.h"

/* Virtual methods with RTTI on (MSVC's default /GR): each vtable is preceded by a pointer to its complete
 * object locator. The objects are constant-initialised (no constructor runs: there is no CRT to run one) and
 * reached only through base-class pointers, so Triangle::area is called only through its vtable slot. */
struct Shape {
    virtual int area(int side) const;
    virtual int corners() const;
};

struct Square : Shape {
    int area(int side) const override;
    int corners() const override;
};

struct Triangle : Shape {
    int area(int side) const override;
    int corners() const override;
};

HP_NOINLINE int Shape::area(int) const { return 0; }
HP_NOINLINE int Shape::corners() const { return 0; }
HP_NOINLINE int Square::area(int side) const { return side * side; }
HP_NOINLINE int Square::corners() const { return 4; }
/* The change: side * side / 2 in v1, side * side * 433 / 1000 in v2. */
HP_NOINLINE int Triangle::area(int side) const { return side * side / 2; }
HP_NOINLINE int Triangle::corners() const { return 3; }

Square square;
Triangle triangle;
Shape *const shapes[2] = {&square, &triangle};

extern "C" HP_EXPORT HP_NOINLINE int shape_area(int which, int side) { return shapes[which & 1]->area(side); }

extern "C" HP_EXPORT HP_NOINLINE int shape_corners(int which) { return shapes[which & 1]->corners(); }

#include <cstdio>

extern "C" int shape_area(int which, int side);
extern "C" int shape_corners(int which);

int main()
{
    std::printf("shape_area(0, 10) = %d\n", shape_area(0, 10));
    std::printf("shape_area(1, 10) = %d\n", shape_area(1, 10));
    std::printf("shape_corners(1) = %d\n", shape_corners(1));
    return 0;
}

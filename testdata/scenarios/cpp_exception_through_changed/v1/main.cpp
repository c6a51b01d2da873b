#include <cstdio>

namespace pipeline {
int guarded(int x);
}

int main()
{
    std::printf("guarded(10) = %d\n", pipeline::guarded(10));
    std::printf("guarded(40) = %d\n", pipeline::guarded(40));
    std::printf("guarded(60) = %d\n", pipeline::guarded(60));
    return 0;
}

/* main.c - placeholder. */
#include "status.h"
int main(void) { return RR_EXIT_OK; }

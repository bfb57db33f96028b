/* report_tool.c - `report_tool [-q|-v] RUNDIR`: rr_report_main as a program,
 * for the tests (the relaxrun binary offers it as `relaxrun report`). */
#include "report.h"

int main(int argc, char **argv)
{
    char name[] = "report";
    argv[0] = name;
    return rr_report_main(argc, argv);
}

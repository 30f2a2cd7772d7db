/* Unit tests for the common module: log level parsing and the clocks. */
#include <criterion/criterion.h>
#include <time.h>

#include "sasae/common.h"

Test(common, level_parse)
{
    cr_assert_eq(sasae_log_level_parse("error"), SASAE_LOG_ERROR);
    cr_assert_eq(sasae_log_level_parse("WARN"), SASAE_LOG_WARN);
    cr_assert_eq(sasae_log_level_parse("debug"), SASAE_LOG_DEBUG);
    cr_assert_eq(sasae_log_level_parse("loud"), -1);
    cr_assert_eq(sasae_log_level_parse(NULL), -1);
}

Test(common, mono_clock_advances)
{
    uint64_t a = sasae_mono_ns();
    struct timespec d = {0, 2000000};
    nanosleep(&d, NULL);
    uint64_t b = sasae_mono_ns();
    cr_assert_geq(b - a, 2000000u);
    cr_assert_gt(sasae_wall_us(), 1600000000000000ull); /* after 2020 */
}

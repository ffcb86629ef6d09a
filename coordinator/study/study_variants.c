/* study_variants.c: see study_variants.h. */
#include "study/study_variants.h"

#include <string.h>

static const struct {
    const char *name;
    StudyVariantStyle style;
} VARIANTS[] = {
    {"baseline", {"#000000", 5}},        {"skip", {"#d62728", 7}},
    {"middle_repeat", {"#ff7f0e", 9}},   {"reverse", {"#9467bd", 11}},
    {"random", {"#8c564b", 13}},         {"parallel", {"#1f77b4", 15}},
    {"looped_parallel", {"#2ca02c", 5}}, {"custom", {"#7f7f7f", 13}},
};
static const int N_VARIANTS = sizeof VARIANTS / sizeof VARIANTS[0];

static const StudyVariantStyle SPARE_STYLES[] = {
    {"#e377c2", 7},
    {"#17becf", 9},
    {"#bcbd22", 11},
    {"#393b79", 15},
};

int study_variant_rank(const char *variant) {
    for (int i = 0; i < N_VARIANTS; i++)
        if (!strcmp(variant, VARIANTS[i].name)) return i;
    return N_VARIANTS;
}

int study_variant_compare(const void *a, const void *b) {
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    int rx = study_variant_rank(x), ry = study_variant_rank(y);
    return rx != ry ? (rx > ry) - (rx < ry) : strcmp(x, y);
}

StudyVariantStyle study_variant_style(const char *variant) {
    int r = study_variant_rank(variant);
    if (r < N_VARIANTS) return VARIANTS[r].style;
    unsigned h = 0;
    for (const char *c = variant; *c; c++)
        h = 31 * h + (unsigned char)*c;
    return SPARE_STYLES[h % (sizeof SPARE_STYLES / sizeof SPARE_STYLES[0])];
}

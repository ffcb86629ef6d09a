/* study_variants.h: the paper's plan variants in the order the study reports
 * them (tables and plot legends), with the colour and point type each variant
 * keeps in every plot. */
#ifndef PAINTERS_STUDY_VARIANTS_H
#define PAINTERS_STUDY_VARIANTS_H

typedef struct {
    const char *color; /* "#rrggbb" */
    int point_type;    /* gnuplot pngcairo point type */
} StudyVariantStyle;

/* Position of a variant in the order baseline, skip, middle_repeat, reverse,
 * random, parallel, looped_parallel, custom; names outside it come after. */
int study_variant_rank(const char *variant);
/* qsort comparator of `const char *` variant names: by rank, then by name. */
int study_variant_compare(const void *a, const void *b);
/* A fixed style per known variant; other names get one of a few spare styles. */
StudyVariantStyle study_variant_style(const char *variant);

#endif

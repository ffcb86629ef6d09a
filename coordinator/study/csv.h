/* csv.h: reading the plain CSV files painters writes (no quoting: text fields
 * hold no commas), with every error naming FILE:LINE.
 *
 *   CsvTable t = csv_read("OUT/summary.csv");         // die_input when missing
 *   csv_expect_header(&t, "plan,variant,N");           // die_input at FILE:1
 *   for (int r = 0; r < t.n_rows; r++) {
 *       const char *plan = csv_text(&t, r, 0);
 *       double v = csv_number(&t, r, 2, CSV_OPTIONAL); // NAN when empty
 *   }
 *   csv_free(&t);
 *
 * Blank lines are skipped; a row with another field count than the header, a
 * NUL byte or a field that is not what the caller asks for is die_input
 * (exit 2) with "FILE:LINE: reason". */
#ifndef PAINTERS_CSV_H
#define PAINTERS_CSV_H

#include "base/util.h"

typedef struct {
    char **fields; /* n_cols pointers into CsvTable.text */
    int line;      /* 1-based line in the file */
} CsvRow;

typedef struct {
    char *path;    /* owned copy */
    char *text;    /* owned: the file, split in place */
    char **header; /* owned array of n_cols pointers into text */
    int n_cols;
    int header_line; /* 1-based */
    CsvRow *rows;    /* owned, n_rows */
    int n_rows;
} CsvTable;

typedef enum { CSV_REQUIRED, CSV_OPTIONAL } CsvPresence;

/* Reads and splits a whole file; the first non-blank line is the header. A
 * missing, empty or ragged file is die_input. csv_free() releases it (NULL-safe
 * on a zeroed table). */
CsvTable csv_read(const char *path);
void csv_free(CsvTable *t);

/* die_input at FILE:LINE unless the header is exactly `columns` (comma-separated). */
void csv_expect_header(const CsvTable *t, const char *columns);

/* Field c of row r, surrounding blanks trimmed; borrowed from the table. */
const char *csv_text(const CsvTable *t, int r, int c);
/* The field as a non-empty text (die_input when empty). */
const char *csv_name(const CsvTable *t, int r, int c);
/* A number (strtod syntax, "nan" and "inf" included); NAN when empty and optional. */
double csv_number(const CsvTable *t, int r, int c, CsvPresence presence);
/* An integer in [lo, hi]; -1 when empty and optional. */
int csv_int(const CsvTable *t, int r, int c, int lo, int hi, CsvPresence presence);
/* die_input "FILE:LINE: column NAME: reason" for row r; fmt gives the reason. */
_Noreturn void csv_fail(const CsvTable *t, int r, int c, const char *fmt, ...)
    PAINTERS_PRINTF(4, 5);

#endif

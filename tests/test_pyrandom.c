/* test_pyrandom.c: pyrandom against values printed by CPython 3.11 and against
 * every permutation in fixtures/python_shuffle_perms.json. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "program/pyrandom.h"
#include "testhelp.h"
#include "base/util.h"

typedef struct {
    uint64_t seed;
    uint32_t words[3];
    uint32_t bits7;
} GetrandbitsCase;

/* random.seed(s); [getrandbits(32) for _ in range(3)], getrandbits(7) */
static const GetrandbitsCase GETRANDBITS_CASES[] = {
    {0ULL, {3626764237U, 1654615998U, 3255389356U}, 113},
    {1ULL, {577090037U, 2444712010U, 3639700191U}, 102},
    {42ULL, {2746317213U, 478163327U, 107420369U}, 94},
    {4294967295ULL, {2728839433U, 2661025012U, 872737089U}, 27},
    {4294967301ULL, {675479763U, 2085189291U, 1213270837U}, 113},
    {9223372036854788153ULL, {1308997459U, 1668775168U, 912389232U}, 19},
};

static void test_getrandbits(void) {
    size_t n = sizeof GETRANDBITS_CASES / sizeof GETRANDBITS_CASES[0];
    for (size_t c = 0; c < n; c++) {
        const GetrandbitsCase *tc = &GETRANDBITS_CASES[c];
        PyRandom r;
        pyrandom_seed(&r, tc->seed);
        int ok = 1;
        for (int i = 0; i < 3; i++)
            ok &= pyrandom_getrandbits(&r, 32) == tc->words[i];
        ok &= pyrandom_getrandbits(&r, 7) == tc->bits7;
        char name[64];
        snprintf(name, sizeof name, "getrandbits seed %llu", (unsigned long long)tc->seed);
        TEST_CHECK(name, ok);
    }
    PyRandom r;
    pyrandom_seed(&r, 5);
    TEST_CHECK("getrandbits(0) is 0", pyrandom_getrandbits(&r, 0) == 0);
}

static int arrays_equal(const int *a, const int *b, int n) {
    for (int i = 0; i < n; i++)
        if (a[i] != b[i]) return 0;
    return 1;
}

static void shuffle_identity(uint64_t seed, int *a, int n) {
    for (int i = 0; i < n; i++)
        a[i] = i;
    PyRandom r;
    pyrandom_seed(&r, seed);
    pyrandom_shuffle(&r, a, n);
}

static void test_shuffle_known(void) {
    int a[1000];
    shuffle_identity(0, a, 10);
    TEST_CHECK("shuffle 10 seed 0",
               arrays_equal(a, (const int[]){7, 8, 1, 5, 3, 4, 2, 0, 9, 6}, 10));
    shuffle_identity(4294967301ULL, a, 10);
    TEST_CHECK("shuffle 10 seed 2^32+5",
               arrays_equal(a, (const int[]){5, 3, 6, 1, 9, 0, 8, 4, 7, 2}, 10));
    shuffle_identity(9223372036854788153ULL, a, 10);
    TEST_CHECK("shuffle 10 seed 2^63+12345",
               arrays_equal(a, (const int[]){7, 0, 9, 8, 2, 5, 1, 3, 6, 4}, 10));
    /* Long enough to regenerate the MT state more than once. */
    shuffle_identity(3, a, 1000);
    long long weighted = 0;
    for (int i = 0; i < 1000; i++)
        weighted += (long long)i * a[i];
    TEST_CHECK("shuffle 1000 seed 3 prefix",
               arrays_equal(a, (const int[]){316, 974, 262, 342, 905}, 5));
    TEST_CHECK("shuffle 1000 seed 3 checksum", weighted == 253090679LL);
    shuffle_identity(1, a, 0);
    shuffle_identity(1, a, 1);
    TEST_CHECK("shuffle of one element", a[0] == 0);
}

/* Keys "n/seed"; each value is random.shuffle(list(range(n))) after random.seed(seed). */
static void test_shuffle_fixture(const char *shared) {
    char *path = path_join(shared, "fixtures/python_shuffle_perms.json");
    char *text = read_file_text(path, NULL);
    cJSON *root = cJSON_Parse(text);
    TEST_CHECK("fixture parses", root && cJSON_IsObject(root));
    int entries = 0;
    for (const cJSON *e = root ? root->child : NULL; e; e = e->next) {
        int n = 0;
        unsigned long long seed = 0;
        int ok = sscanf(e->string, "%d/%llu", &n, &seed) == 2 && cJSON_IsArray(e) &&
                 cJSON_GetArraySize(e) == n && n > 0;
        if (ok) {
            int *got = xmalloc(sizeof(int) * (size_t)n);
            shuffle_identity(seed, got, n);
            int i = 0;
            for (const cJSON *v = e->child; v; v = v->next, i++)
                ok &= v->valueint == got[i];
            free(got);
        }
        char name[96];
        snprintf(name, sizeof name, "fixture permutation %s", e->string);
        TEST_CHECK(name, ok);
        entries++;
    }
    printf("checked %d fixture permutations\n", entries);
    TEST_CHECK("fixture has permutations", entries > 0);
    cJSON_Delete(root);
    free(text);
    free(path);
}

int main(void) {
    test_getrandbits();
    test_shuffle_known();
    const char *shared = test_shared_dir();
    if (shared)
        test_shuffle_fixture(shared);
    else
        printf("skipping fixture permutations: shared directory not found\n");
    int rc = test_report("pyrandom");
    if (rc == 0 && !shared)
        return test_shared_missing("test_pyrandom, fixtures/python_shuffle_perms.json");
    return rc;
}

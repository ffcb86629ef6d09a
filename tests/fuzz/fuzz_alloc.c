/* fuzz_alloc.c: see fuzz_alloc.h. The sanitizer allocator calls the hooks on
 * every malloc and free. The blocks allocated during the current input are
 * listed in order, and the live ones sit in a static open-addressing table
 * keyed by address. A new input starts a new generation: slots of older
 * generations count as empty, so nothing is cleared between inputs. */
#include "fuzz_alloc.h"

#include <sanitizer/allocator_interface.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define TABLE_SLOTS (1u << 20)
#define MAX_BLOCKS (TABLE_SLOTS / 2)

typedef struct {
    uintptr_t ptr; /* 0: a freed block (a tombstone) */
    uint32_t generation;
} Slot;

static Slot table[TABLE_SLOTS];
static uintptr_t allocated[MAX_BLOCKS]; /* this input's blocks, in allocation order */
static size_t n_allocated;
static uint32_t generation;
static int overflowed;
static _Thread_local int tracking;

static size_t slot_of(uintptr_t p) {
    return (size_t)((p >> 4) * 0x9E3779B97F4A7C15ull >> 44) & (TABLE_SLOTS - 1);
}

/* The slot holding p in this generation, or NULL. */
static Slot *find(uintptr_t p) {
    for (size_t i = slot_of(p); table[i].generation == generation; i = (i + 1) & (TABLE_SLOTS - 1))
        if (table[i].ptr == p) return &table[i];
    return NULL;
}

static void on_malloc(const volatile void *ptr, size_t size) {
    (void)size;
    if (!tracking || !ptr || overflowed) return;
    if (n_allocated == MAX_BLOCKS) {
        overflowed = 1;
        return;
    }
    uintptr_t p = (uintptr_t)ptr;
    size_t i = slot_of(p);
    while (table[i].generation == generation && table[i].ptr != 0)
        i = (i + 1) & (TABLE_SLOTS - 1);
    table[i] = (Slot){p, generation};
    allocated[n_allocated++] = p;
}

static void on_free(const volatile void *ptr) {
    if (!tracking || !ptr) return;
    Slot *s = find((uintptr_t)ptr);
    if (s) s->ptr = 0;
}

void fuzz_alloc_track(void) {
    static int installed;
    if (!installed) {
        if (!__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free)) {
            fprintf(stderr, "fuzz_alloc: cannot install the sanitizer malloc hooks\n");
            abort();
        }
        installed = 1;
    }
    if (++generation == 0) generation = 1;
    n_allocated = 0;
    overflowed = 0;
    tracking = 1;
}

void fuzz_alloc_keep(void) {
    tracking = 0;
}

void fuzz_alloc_free_leftovers(void) {
    tracking = 0;
    if (overflowed) {
        fprintf(stderr, "fuzz_alloc: more than %u blocks in one input; leftovers not freed\n",
                MAX_BLOCKS);
        return;
    }
    for (size_t k = 0; k < n_allocated; k++) {
        Slot *s = find(allocated[k]);
        if (!s) continue;
        s->ptr = 0;
        free((void *)allocated[k]);
    }
}

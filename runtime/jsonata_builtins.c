/*
 * jsonata_builtins.c - finding a JSONata built-in function by name, in the
 * two sorted tables of jsonata_builtins_text.c and jsonata_builtins_data.c.
 *
 * Layer: values
 */
#include <string.h>

#include "jsonata_builtins_impl.h"

static const jn_builtin *search(const jn_builtin *table, size_t count, const char *name,
                                size_t len)
{
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *m = table[mid].name;
        int c = strncmp(m, name, len);
        if (c == 0 && m[len] != '\0')
            c = 1; /* [m] is longer: it sorts after [name] */
        if (c == 0)
            return &table[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const jn_builtin *jn_builtin_find(const char *name, size_t len)
{
    const jn_builtin *b = search(jn_builtins_text, jn_builtins_text_count, name, len);
    return b ? b : search(jn_builtins_data, jn_builtins_data_count, name, len);
}

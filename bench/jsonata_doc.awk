# jsonata_doc.awk - writes the document of the JSONata benchmark
# (bench/jsonata.sh): a shop of 40 customers, 30 products and 180 orders of
# 1 to 4 items each, about 50 KB of JSON. Run with `awk -f` and no input.
# Deterministic on any awk: the numbers come from a Park-Miller generator
# of our own (awk's rand() differs between gawk, mawk and busybox), whose
# products stay below 2^53 so doubles compute them exactly, and each draw
# is a statement of its own (awk leaves the order in which a call's
# arguments are evaluated open). Prices are whole cents printed with two
# decimals, so sums in the expressions meet binary fractions on both engines.
function rnd(n) {                       # 0 .. n-1
    seed = (seed * 16807) % 2147483647
    return seed % n
}
function pick(list, n,    a) { split(list, a, " "); return a[rnd(n) + 1] }
function money(cents) { return sprintf("%d.%02d", int(cents / 100), cents % 100) }
BEGIN {
    seed = 20240601
    first = "Ada Alan Barbara Claude Dennis Edsger Frances Grace Guido Hedy John Ken Linus Margaret Niklaus Radia Tony Ward Xavier Yukihiro"
    last = "Lovelace Turing Liskov Shannon Ritchie Dijkstra Allen Hopper Rossum Lamarr Backus Thompson Torvalds Hamilton Wirth Perlman Hoare Cunningham Leroy Matsumoto"
    cities = "Lisbon Porto Madrid Paris Lyon Berlin Hamburg Vienna Prague Warsaw"
    tiers = "bronze silver gold platinum"
    domains = "example.com example.org mail.test"
    cats = "books games tools garden kitchen music"
    adjs = "red small blue large quiet fast smart old new bright"
    nouns = "lamp chair kettle novel puzzle hammer rake speaker guitar notebook"
    tagw = "sale new eco gift bulk imported local premium"
    statuses = "pending paid shipped delivered returned"

    printf "{\n  \"store\": \"aslc bench shop\",\n  \"currency\": \"EUR\",\n"
    printf "  \"customers\": [\n"
    NC = 40
    for (i = 1; i <= NC; i++) {
        f = pick(first, 20)
        l = pick(last, 20)
        # one or two spaces in a name, "+shop" or upper case in some
        # addresses: material for the regexes
        sep = rnd(4) ? " " : "  "
        user = tolower(f) "." tolower(l)
        if (rnd(7) == 0) user = user "+shop"
        if (rnd(9) == 0) user = toupper(user)
        dom = pick(domains, 3)
        city = pick(cities, 10)
        tier = pick(tiers, 4)
        yy = 15 + rnd(10)
        mm = 1 + rnd(12)
        dd = 1 + rnd(28)
        active = rnd(5) ? "true" : "false"
        printf "    {\"id\": \"C%03d\", \"name\": \"%s%s%s\", \"email\": \"%s@%s\", \"city\": \"%s\", ", \
            i, f, sep, l, user, dom, city
        printf "\"tier\": \"%s\", \"since\": \"20%02d-%02d-%02d\", \"active\": %s}%s\n", \
            tier, yy, mm, dd, active, (i < NC ? "," : "")
    }
    printf "  ],\n  \"products\": [\n"
    NP = 30
    for (i = 1; i <= NP; i++) {
        price[i] = 199 + rnd(20000)
        ntags = rnd(4)
        tags = ""
        for (t = 0; t < ntags; t++) tags = tags (t ? ", " : "") "\"" pick(tagw, 8) "\""
        adj = pick(adjs, 10)
        noun = pick(nouns, 10)
        cat = pick(cats, 6)
        stock = rnd(60)
        printf "    {\"sku\": \"P%03d\", \"name\": \"%s %s\", \"category\": \"%s\", \"price\": %s, ", \
            i, adj, noun, cat, money(price[i])
        printf "\"stock\": %d, \"tags\": [%s]}%s\n", stock, tags, (i < NP ? "," : "")
    }
    printf "  ],\n  \"orders\": [\n"
    NO = 180
    for (i = 1; i <= NO; i++) {
        nitems = 1 + rnd(4)
        items = ""
        total = 0
        for (t = 0; t < nitems; t++) {
            p = 1 + rnd(NP)
            q = 1 + rnd(5)
            total += price[p] * q
            items = items (t ? ", " : "") sprintf("{\"sku\": \"P%03d\", \"qty\": %d, \"price\": %s}", \
                p, q, money(price[p]))
        }
        c = 1 + rnd(NC)
        mm = 1 + rnd(12)
        dd = 1 + rnd(28)
        hh = rnd(24)
        mi = rnd(60)
        st = pick(statuses, 5)
        printf "    {\"id\": \"O%04d\", \"customer\": \"C%03d\", \"date\": \"2024-%02d-%02dT%02d:%02d:00Z\", ", \
            i, c, mm, dd, hh, mi
        printf "\"status\": \"%s\", \"items\": [%s], \"total\": %s}%s\n", \
            st, items, money(total), (i < NO ? "," : "")
    }
    printf "  ]\n}\n"
}

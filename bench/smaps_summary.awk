# Resident set of one process by mapping, from /proc/PID/smaps: anonymous memory (heap, and
# the private pages Wine's loader maps for Windows DLLs) apart from file-backed libraries.
#   awk -f bench/smaps_summary.awk /proc/PID/smaps
/^[0-9a-f]+-[0-9a-f]+ / {
    name = NF >= 6 ? $6 : "[anon]"
    for (i = 7; i <= NF; i++)
        name = name " " $i
    n = split(name, parts, "/")
    if (n > 1)
        name = parts[n]
    next
}
/^Rss:/ { rss[name] += $2; total += $2 }
END {
    for (k in rss)
        if (rss[k] >= 1024)
            printf "%9.1f MB  %s\n", rss[k] / 1024, k | "sort -rn"
    close("sort -rn")
    printf "%9.1f MB  total resident\n", total / 1024
}

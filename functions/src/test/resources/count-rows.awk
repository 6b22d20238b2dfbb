# The host's former row counter (until backup-status counted rows itself): the reference the Java
# DumpRowCounter is tested against. Prints one JSON member '"table": rows' per line.
function ident(s,    out, i) {
  out = ""
  while (1) {
    i = index(s, "`")
    if (i == 0) { rest = ""; return out s }
    out = out substr(s, 1, i - 1)
    if (substr(s, i + 1, 1) == "`") { out = out "`"; s = substr(s, i + 2) }
    else { rest = substr(s, i + 1); return out }
  }
}
function jstr(s,    out, i, c) {
  out = ""
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (c == "\\" || c == "\"") out = out "\\" c
    else if (c < " ") out = out sprintf("\\u%04x", index(ctl, c))
    else out = out c
  }
  return "\"" out "\""
}
function table(t) { if (!(t in rows)) { rows[t] = 0; order[++n] = t } }
BEGIN {
  for (i = 1; i < 32; i++) ctl = ctl sprintf("%c", i)
  structure = "-- Table structure for table `"; data = "-- Dumping data for table `"; insert = "INSERT INTO `"
}
index($0, structure) == 1 { table(ident(substr($0, length(structure) + 1))); section = ""; inserting = 0; next }
index($0, data) == 1 { section = ident(substr($0, length(data) + 1)); table(section); inserting = 0; next }
/^UNLOCK TABLES;/ || /^-- / || /^DELIMITER/ { section = ""; inserting = 0; next }
section != "" && index($0, insert) == 1 {
  cur = ident(substr($0, length(insert) + 1))
  if (cur != section) { inserting = 0; next }
  line = rest; sub(/^ *VALUES/, "", line)
  inserting = 1
  first = 1
}
inserting {
  if (!first) line = $0
  first = 0
  gsub(/\\./, "", line)
  gsub(/'[^']*'/, "", line)
  rows[cur] += gsub(/\(/, "", line)
  if (line ~ /;[ \t]*$/) inserting = 0
}
END { for (i = 1; i <= n; i++) printf "%s: %d\n", jstr(order[i]), rows[order[i]] }

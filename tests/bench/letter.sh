# Sourced by the benchmark scripts: a letter of engagement of PAGES text pages, as PostScript on
# stdout (ps2pdf makes it a PDF of ~2.6 KB per page once qpdf expands its streams).
letter_ps() {
  local pages=$1
  echo "%!PS"; echo "/Helvetica findfont 11 scalefont setfont"
  for p in $(seq 1 "$pages"); do
    for l in $(seq 0 39); do echo "72 $((760 - l * 16)) moveto (Lettre de mission $p.$l - exercice comptable et fiscal) show"; done
    echo showpage
  done
}

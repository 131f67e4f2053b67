#!/usr/bin/env bash
# docs/render.sh: prints tierbook's workbooks the way a printer would, for a
# look at every page. Builds tierbook, runs it on the bundled samples, turns
# every workbook into a PDF (LibreOffice) and one PNG per page (poppler),
# and checks what can be checked without eyes: `#####` in a cell, a page
# with nothing on it but its header and footer.
#
# Needs (Debian/Ubuntu):
#   sudo apt-get install -y libreoffice-calc poppler-utils fonts-noto-cjk
#
# Usage: docs/render.sh [--out DIR] [--only NAME] [--images]
#   --out DIR    where the workbooks, PDFs and PNGs go (default target/render)
#   --only NAME  render only the jobs whose name contains NAME
#   --images     also copy the pages listed in IMAGES below to docs/images/
#
# LibreOffice lays the pages out with the workbook's font, 等线 (DengXian),
# mapped to Noto Sans CJK SC by a fontconfig file written here: its digits
# and CJK glyphs are as wide as DengXian's, so the pages break where they
# break in Excel on a Chinese Windows. Without the mapping LibreOffice draws
# Latin text in DejaVu Sans, a wider font, and prints a little smaller.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/target/render
ONLY=
IMAGES_TOO=0
while [ $# -gt 0 ]; do
  case $1 in
    --out) OUT=$(mkdir -p "$2" && cd "$2" && pwd); shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --images) IMAGES_TOO=1; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

# The workbooks: one line each, "name|tierbook arguments". $S is the samples
# folder; each job runs in its own folder under $OUT, so a job may read an
# earlier job's workbook as ../<name>/<file> (merge reads the handouts,
# finalize the merged form, monthly the final list: with --only, render
# the jobs they read first). Every .xlsx a job writes is printed (the
# handouts job prints every region's workbook).
JOBS=(
  'evaluate-zh-CN-A4|evaluate $S/销售台账.xlsx --customers $S/客户档案.xlsx --previous $S/上年等级.xlsx --lang zh-CN --paper A4 --out evaluate.xlsx'
  'evaluate-zh-CN-A3|evaluate $S/销售台账.xlsx --customers $S/客户档案.xlsx --previous $S/上年等级.xlsx --lang zh-CN --paper A3 --out evaluate.xlsx'
  'evaluate-en-A4|evaluate $S/销售台账.xlsx --customers $S/客户档案.xlsx --previous $S/上年等级.xlsx --lang en --paper A4 --out evaluate.xlsx'
  'evaluate-en-A3|evaluate $S/销售台账.xlsx --customers $S/客户档案.xlsx --previous $S/上年等级.xlsx --lang en --paper A3 --out evaluate.xlsx'
  'receipts-zh-CN-A4|evaluate $S/销售台账.xlsx --receipts $S/回款台账.xlsx --customers $S/客户档案.xlsx --previous $S/上年等级.xlsx --lang zh-CN --paper A4 --out evaluate.xlsx'
  'receipts-zh-CN-A3|evaluate $S/销售台账.xlsx --receipts $S/回款台账.xlsx --customers $S/客户档案.xlsx --previous $S/上年等级.xlsx --lang zh-CN --paper A3 --out evaluate.xlsx'
  'receipts-en-A3|evaluate $S/销售台账.xlsx --receipts $S/回款台账.xlsx --customers $S/客户档案.xlsx --previous $S/上年等级.xlsx --lang en --paper A3 --out evaluate.xlsx'
  'handouts-zh-CN-A4|evaluate $S/销售台账.xlsx --receipts $S/回款台账.xlsx --customers $S/客户档案.xlsx --previous $S/上年等级.xlsx --lang zh-CN --paper A4 --split-by region --out-dir .'
  'handouts-en-A4|evaluate $S/销售台账.xlsx --receipts $S/回款台账.xlsx --customers $S/客户档案.xlsx --previous $S/上年等级.xlsx --lang en --paper A4 --split-by region --out-dir .'
  'merge-zh-CN-A3|merge ../receipts-zh-CN-A3/evaluate.xlsx ../handouts-zh-CN-A4/评定表-东北.xlsx ../handouts-zh-CN-A4/评定表-华东.xlsx ../handouts-zh-CN-A4/评定表-华北.xlsx ../handouts-zh-CN-A4/评定表-华南.xlsx ../handouts-zh-CN-A4/评定表-西南.xlsx --paper A3 --out merged.xlsx'
  'merge-en-A3|merge ../receipts-en-A3/evaluate.xlsx ../handouts-en-A4/Evaluation-东北.xlsx ../handouts-en-A4/Evaluation-华东.xlsx ../handouts-en-A4/Evaluation-华北.xlsx ../handouts-en-A4/Evaluation-华南.xlsx ../handouts-en-A4/Evaluation-西南.xlsx --paper A3 --out merged.xlsx'
  'finalize-zh-CN-A4|finalize ../merge-zh-CN-A3/merged.xlsx --paper A4 --out final.xlsx'
  'finalize-en-A4|finalize ../merge-en-A3/merged.xlsx --paper A4 --out final.xlsx'
  'monthly-zh-CN-A4|monthly $S/销售台账.xlsx --receipts $S/回款台账.xlsx --customers $S/客户档案.xlsx --previous ../finalize-zh-CN-A4/final.xlsx --lang zh-CN --paper A4 --out monthly.xlsx'
  'monthly-zh-CN-A3|monthly $S/销售台账.xlsx --receipts $S/回款台账.xlsx --customers $S/客户档案.xlsx --previous ../finalize-zh-CN-A4/final.xlsx --lang zh-CN --paper A3 --out monthly.xlsx'
  'monthly-en-A4|monthly $S/销售台账.xlsx --receipts $S/回款台账.xlsx --customers $S/客户档案.xlsx --previous ../finalize-en-A4/final.xlsx --lang en --paper A4 --out monthly.xlsx'
  'reconcile-zh-CN-A4|reconcile $S/销售台账.xlsx --receipts $S/回款台账.xlsx --customers $S/客户档案.xlsx --lang zh-CN --paper A4 --out reconcile.xlsx'
  'reconcile-en-A4|reconcile $S/销售台账.xlsx --receipts $S/回款台账.xlsx --customers $S/客户档案.xlsx --lang en --paper A4 --out reconcile.xlsx'
)

# Pages shown in the README: "job|text on the page|image name" (the first
# page of the job's PDFs holding the text).
IMAGES=(
  "evaluate-zh-CN-A4|客户分级评定汇总|summary-zh-CN-A4.png"
  "evaluate-zh-CN-A3|客户质量等级评定表|evaluation-zh-CN-A3.png"
  "evaluate-en-A4|Customer Grading Summary|summary-en-A4.png"
  "reconcile-zh-CN-A4|（KH1002）对账单|statement-zh-CN-A4.png"
  "handouts-zh-CN-A4|客户分级评定汇总（区域：华东）|handout-zh-CN-A4.png"
  "finalize-zh-CN-A4|客户等级最终名单|final-zh-CN-A4.png"
)
# A picture larger than this is printed again at a lower resolution.
MAX_IMAGE_BYTES=300000

need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "render.sh: $1 is missing; install: sudo apt-get install -y libreoffice-calc poppler-utils fonts-noto-cjk" >&2
    exit 1
  fi
}
need soffice
need pdftoppm
need pdftotext
if ! grep -q "Noto Sans CJK" <<< "$(fc-list : family)"; then
  echo "render.sh: no Noto Sans CJK font; install: sudo apt-get install -y fonts-noto-cjk" >&2
  exit 1
fi

cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml"
BIN=$ROOT/target/release/tierbook
S=$ROOT/samples
mkdir -p "$OUT"

# 等线 / DengXian (not installed here) drawn as Noto Sans CJK SC.
cat > "$OUT/fonts.conf" <<'EOF'
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <alias binding="same"><family>等线</family><accept><family>Noto Sans CJK SC</family></accept></alias>
  <alias binding="same"><family>DengXian</family><accept><family>Noto Sans CJK SC</family></accept></alias>
</fontconfig>
EOF
export FONTCONFIG_FILE=$OUT/fonts.conf
# A profile of our own, so a LibreOffice already running is not disturbed.
PROFILE=file://$OUT/lo-profile

problems=0
for job in "${JOBS[@]}"; do
  name=${job%%|*}
  args=${job#*|}
  args=${args//\$S/$S}
  if [ -n "$ONLY" ] && [[ $name != *"$ONLY"* ]]; then continue; fi
  dir=$OUT/$name
  rm -rf "$dir"; mkdir -p "$dir"
  read -ra argv <<< "$args"
  (cd "$dir" && "$BIN" "${argv[@]}" --quiet)
  for xlsx in "$dir"/*.xlsx; do
    [ -e "$xlsx" ] || continue
    soffice -env:UserInstallation="$PROFILE" --headless --convert-to pdf --outdir "$dir" "$xlsx" >/dev/null 2>&1
    pdf=${xlsx%.xlsx}.pdf
    base=${xlsx%.xlsx}
    pdftoppm -png -r 80 "$pdf" "$base"
    pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
    echo "$name/$(basename "$pdf"): $pages pages"
    for ((p = 1; p <= pages; p++)); do
      text=$(pdftotext -layout -f "$p" -l "$p" "$pdf" - | sed '/^[[:space:]]*$/d')
      if grep -q '###' <<< "$text"; then
        echo "  page $p: a cell shows ##### (its column is too narrow)"; problems=$((problems + 1))
      fi
      # The page header is the first line and the footer the last one.
      if [ "$(sed '1d;$d' <<< "$text" | wc -l)" -eq 0 ]; then
        echo "  page $p: blank but for its header and footer"; problems=$((problems + 1))
      fi
    done
  done
done

if [ "$IMAGES_TOO" = 1 ]; then
  mkdir -p "$ROOT/docs/images"
  for entry in "${IMAGES[@]}"; do
    IFS='|' read -r job text image <<< "$entry"
    found=
    for pdf in "$OUT/$job"/*.pdf; do
      pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
      for ((p = 1; p <= pages; p++)); do
        if grep -qF "$text" <<< "$(pdftotext -f "$p" -l "$p" "$pdf" -)"; then
          for r in 80 70 60 50; do
            pdftoppm -png -r "$r" -f "$p" -l "$p" -singlefile "$pdf" "$ROOT/docs/images/${image%.png}"
            [ "$(stat -c %s "$ROOT/docs/images/$image")" -le "$MAX_IMAGE_BYTES" ] && break
          done
          found=1; break 2
        fi
      done
    done
    if [ -z "$found" ]; then echo "no page of $job shows \"$text\"" >&2; problems=$((problems + 1)); fi
  done
  echo "images in docs/images/"
fi

echo "PDFs and PNGs in $OUT"
if [ "$problems" -gt 0 ]; then
  echo "$problems problem(s) found" >&2
  exit 1
fi

#!/usr/bin/env bash
# Runs before `npm test` (the pretest script): the browser, PDF, CalDAV and IMAP tests need Debian
# packages that npm cannot install. Each line below is "<command the tests run> <package that has it>".
# As root the missing ones are installed with apt-get; otherwise this stops with the one command to run.
set -euo pipefail

required=(
  "chromium chromium"          # headless browser for playwright-core (it cannot download its own here)
  "pdftoppm poppler-utils"     # renders and reads invoice PDFs
  "radicale radicale"          # CalDAV server, started by the tests on a free port
  "dovecot dovecot-imapd"      # IMAP server, started by the tests on a free port
  "pdfdetach poppler-utils"    # extracts the XML a Factur-X PDF embeds
  "xmllint libxml2-utils"      # validates e-invoice XML against the EN 16931 XSDs
  "/usr/share/java/Saxon-HE.jar libsaxonhe-java" # runs the EN 16931 schematron (compiled XSLT) on e-invoice XML
)

missing=()
for entry in "${required[@]}"; do
  read -r tool package <<<"$entry"
  # dovecot lives in /usr/sbin, which a non-root PATH often lacks.
  command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || [ -e "$tool" ] || [[ " ${missing[*]} " == *" $package "* ]] || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Missing system packages for the tests; run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "Installing system packages the tests need: ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null

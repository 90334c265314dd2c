#!/usr/bin/env bash
# Lighthouse (accessibility, best practices, SEO, performance) on the pages of issue 13: home, lookup,
# certificate, calculator and an owner's product costs page, against a live server (runserver, or gunicorn) with the demo data.
#
#   bench/lighthouse.sh                 # mobile (Lighthouse's default: a phone, throttled)
#   FORM_FACTOR=desktop bench/lighthouse.sh
#   PORT=8131 bench/lighthouse.sh       # the port of the server it starts (default 8131)
#   SERVER=gunicorn bench/lighthouse.sh # production settings (DEBUG off, collectstatic: WhiteNoise's
#                                       # compressed, hashed files), gunicorn with 2 workers
#
# Everything lives under var/lighthouse/ (ignored by git): its own demo database, media and cache
# (TKDN_VAR_DIR), the Lighthouse npm package (pinned; Lighthouse 13 needs Node 22), one JSON report per page.
# It prints a Markdown table for docs/accessibility.md. Not part of CI: a run takes minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

LIGHTHOUSE_VERSION=12.2.3
PORT=${PORT:-8131}
FORM_FACTOR=${FORM_FACTOR:-mobile}
SERVER=${SERVER:-runserver}
OUT=var/lighthouse
export TKDN_VAR_DIR="$PWD/$OUT/var"
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
# `make run`'s development values (DEBUG serves the static files), and nothing from a .env of the caller.
export DEBUG=true SECURE_SSL_REDIRECT=false SECURE_HSTS_SECONDS=0 EMAIL_URL=filemail:// \
  ALLOWED_HOSTS=127.0.0.1,localhost STATIC_ROOT="$PWD/$OUT/static" LOG_LEVEL=WARNING
# One key for the whole run: the owner's session below is signed with it.
export SECRET_KEY="lighthouse-$(head -c 24 /dev/urandom | base64)"
unset DATABASE_URL CELERY_BROKER_URL REDIS_URL DJANGO_SETTINGS_MODULE
PY=.venv/bin/python
LH="$OUT/npm/node_modules/.bin/lighthouse"

mkdir -p "$OUT/var" "$OUT/reports"
if [ ! -x "$LH" ] || ! "$LH" --version | grep -qx "$LIGHTHOUSE_VERSION"; then
  npm install --prefix "$OUT/npm" --no-audit --no-fund --loglevel=error "lighthouse@$LIGHTHOUSE_VERSION"
fi

echo "Demo data in $TKDN_VAR_DIR ..."
$PY manage.py migrate --noinput -v 0
$PY manage.py load_demo -v 0 >/dev/null

# The URLs of the demo's own objects, and a session of the demo owner for the costs page.
read -r CERT DRAFT SESSION < <($PY manage.py shell -v 0 -c '
from django.test import Client
from applications.models import Application
from registry.models import Certificate
from accounts.models import User
owner = User.objects.get(username="pemilik")
draft = Application.objects.filter(product__company__owner=owner, status=Application.Status.DRAFT).first()
client = Client()
client.force_login(owner)
print(Certificate.objects.order_by("pk").first().number, draft.public_id, client.cookies["sessionid"].value)
')

if [ "$SERVER" = gunicorn ]; then
  DEBUG=false $PY manage.py collectstatic --noinput -v 0
  DEBUG=false .venv/bin/gunicorn tkdnportal.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 \
    >"$OUT/server.log" 2>&1 &
else
  $PY manage.py runserver "127.0.0.1:$PORT" --noreload >"$OUT/server.log" 2>&1 &
fi
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null; wait $SERVER_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/healthz/" && break; sleep 0.5; done

BASE="http://127.0.0.1:$PORT"
PAGES=(
  "home|$BASE/|"
  "lookup|$BASE/registri/?q=rotan|"
  "certificate|$BASE/sertifikat/$CERT/|"
  "calculator|$BASE/kalkulator/|"
  "product-costs|$BASE/ikm/permohonan/$DRAFT/ubah/|sessionid=$SESSION"
)
PRESET=()
[ "$FORM_FACTOR" = desktop ] && PRESET=(--preset=desktop)
for entry in "${PAGES[@]}"; do
  IFS='|' read -r name url cookie <<<"$entry"
  headers=()
  [ -n "$cookie" ] && headers=(--extra-headers "{\"Cookie\": \"$cookie\"}")
  echo "Lighthouse: $name ($url)"
  # Chromium's trace sometimes fails (NO_NAVSTART, NO_FCP on a busy machine): up to 3 tries a page.
  ok=""
  for attempt in 1 2 3; do
    if "$LH" "$url" "${PRESET[@]}" "${headers[@]}" --quiet --output=json \
      --output-path="$OUT/reports/$name-$FORM_FACTOR-$SERVER.json" \
      --only-categories=accessibility,best-practices,seo,performance \
      --chrome-flags="--headless=new --no-sandbox --disable-gpu"; then
      ok=1
      break
    fi
    echo "  try $attempt failed"
  done
  [ -n "$ok" ] || { echo "Lighthouse failed three times on $name"; exit 1; }
done

$PY - "$OUT/reports" "$FORM_FACTOR" "$SERVER" <<'EOF'
import json, sys
from pathlib import Path

folder, form, server = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
names = ["home", "lookup", "certificate", "calculator", "product-costs"]
cats = ["accessibility", "best-practices", "seo", "performance"]
print(f"\n| page ({form}, {server}) | accessibility | best practices | SEO | performance |")
print("|---|---|---|---|---|")
low = []
for name in names:
    report = json.loads((folder / f"{name}-{form}-{server}.json").read_text())
    scores = {c: round(report["categories"][c]["score"] * 100) for c in cats}
    print(f"| {name} | " + " | ".join(str(scores[c]) for c in cats) + " |")
    if scores["accessibility"] < 98:
        low.append(name)
    # What cost points: every failed audit of the accessibility and best-practices categories.
    for cat in ("accessibility", "best-practices", "seo"):
        for ref in report["categories"][cat]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                print(f"    {name}: {cat}: {ref['id']} ({audit['title']})", file=sys.stderr)
if low:
    print(f"\nAccessibility under 98: {', '.join(low)}", file=sys.stderr)
    sys.exit(1)
EOF

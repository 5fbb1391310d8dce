#!/usr/bin/env python3
"""Builds assets/demo-crm.csv: the CRM export `ctctsync demo` imports.

Input: the sandbox's contact export for the demo account (seed 2026, 2,400 contacts), e.g.
  ctctsync sandbox --addr 127.0.0.1:8932 --seed 2026 --contacts 2400 --lists 6 --campaigns 10 \
      --activities 30000 &
  curl -s http://127.0.0.1:8932/__sandbox/contacts.csv > sandbox-contacts.csv
  python3 assets/make-demo-crm.py sandbox-contacts.csv > assets/demo-crm.csv

The CRM holds ~2,000 contacts grouped in households and organizations: most share an email with
the sandbox account (some in other letter case), some are CRM-only, some have no email, two share
one address, and a few are marked Do Not Email. Deterministic (fixed random seed).
"""
import csv
import io
import random
import sys

rng = random.Random(2026)
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
# Deleted contacts are still in the account; keep a few so linking meets them.
live = [r for r in rows if r["status"] != "deleted"]
deleted = [r for r in rows if r["status"] == "deleted"]
rng.shuffle(live)
picked = live[:1800] + deleted[:5]

out = []
n = 0


def next_id():
    global n
    n += 1
    return f"CRM-{n:05d}"


first_names = ["Amélie", "Björn", "Chloé", "Dmitri", "Éloïse", "Farah", "Grégoire", "Hana", "Ingrid", "Joaquín", "Kenji", "Lucía", "Mateo", "Noémie", "Oğuz", "Priya", "Quentin", "Rosalía", "Siobhán", "Tomás"]
last_names = ["O'Neill", "D'Angelo", "Nguyễn", "Łukasiewicz", "García-Márquez", "Ó Briain", "van der Berg", "St. John", "MacLeod", "Ólafsdóttir"]

corp_domains = {}
for r in picked:
    email = r["email"]
    # The CRM knows everyone's name even where Constant Contact has none (info@ addresses).
    first = r["first_name"] or rng.choice(first_names)
    last = r["last_name"] or rng.choice(last_names)
    roll = rng.random()
    if roll < 0.08:
        email = email.upper()
    elif roll < 0.14:
        email = email[0].upper() + email[1:]
    elif roll < 0.16:
        email = f"  {email} "
    domain = email.strip().split("@")[-1].lower()
    if any(k in domain for k in ("smithlaw", "contoso", "fabrikam", "northwind", "corp.")) and rng.random() < 0.5:
        org = corp_domains.setdefault(domain, domain.split(".")[0].capitalize() + (" LLP" if "law" in domain else " Inc."))
        out.append([next_id(), first, last, email, org, "Organization", "false", f"555-{rng.randint(1000, 9999)}"])
    else:
        out.append([next_id(), first, last, email, None, "Household", "true" if rng.random() < 0.03 else "false", f"555-{rng.randint(1000, 9999)}"])

# Households: group person rows by last name, 1-4 per household.
for o in out:
    if o[4] is None and not o[2]:
        o[4] = f"{o[1] or 'Unnamed'} Household"
people = [o for o in out if o[4] is None]
people.sort(key=lambda o: (o[2], o[0]))
i = 0
while i < len(people):
    size = rng.choice([1, 1, 2, 2, 2, 3, 4])
    group = people[i:i + size]
    last = group[0][2] or group[0][1] or "Family"
    members = " & ".join(dict.fromkeys(g[1] for g in group if g[1])) or last
    name = f"{last} Household" if len(group) == 1 or "&" not in members else f"{last}, {members}"
    for g in group:
        g[4] = name
    i += size

# CRM-only contacts (their emails are not in Constant Contact).
for k in range(150):
    f, l = rng.choice(first_names), rng.choice(last_names)
    email = f"{f.lower()}.{k}+crm@clients.example.net".replace("é", "e").replace("ö", "o").replace("ü", "u")
    out.append([next_id(), f, l, email, f"{l} Household", "Household", "false", ""])
# Contacts without email.
for k in range(40):
    f, l = rng.choice(first_names), rng.choice(last_names)
    out.append([next_id(), f, l, "", f"{l} Household", "Household", "false", f"555-{rng.randint(1000, 9999)}"])
# Two CRM contacts sharing one address (a couple): reported by the contact sync, never guessed.
shared = out[3]
out.append([next_id(), "Partner of " + (shared[1] or "contact"), shared[2], shared[3].strip().lower(), shared[4], shared[5], "false", ""])

rng.shuffle(out)
buf = io.StringIO()
w = csv.writer(buf, lineterminator="\r\n")
w.writerow(["Contact ID", "First Name", "Last Name", "Preferred Email", "Account Name", "Account Type", "Email Opt Out", "Phone"])
for o in out:
    w.writerow(o)
sys.stdout.write("\ufeff" + buf.getvalue())

"""Plans: how fast a plan version with 40 initiatives is exported to Word and to PDF.

- `plans.docx_s`: the median wall time of reading the version (`document.plan_document`) and
  writing it as a .docx (`export_docx.to_docx`: python-docx, with the roadmap and the budget
  drawn as PNG by matplotlib), what the download view does apart from HTTP. Target <= 1 s, from
  the issue.
- `plans.pdf_s`: the same for the PDF (`export_pdf.to_pdf`: the template printed by WeasyPrint,
  tagged as PDF/UA-1, fonts subset). Target <= 3 s, from the issue.

The plan is a municipality's three-year plan (2027-2029) with every section written, the
management and leadership check, 5 capabilities and 40 initiatives, each with an owner, dates
spread over the plan, a first step, a benefit for residents, a description, budget lines of every
kind over the three years (9 each), 1-3 waves, 1-2 capabilities and 0-2 collaborating
municipalities. It is made in a throwaway site (a temporary directory with a SQLite database,
migrated and the register loaded; `benchsite.settings`, the production profile), in a Python
process of its own that then exports it: one untimed export of each kind first (loading
matplotlib, WeasyPrint and the fonts is a once-per-process cost a web worker pays at its first
export), then 7 timed ones each, in Swedish, the default language. stderr shows each time, the
median CPU time of the process (on a machine busy with other work the wall time grows, the CPU
time hardly), the file sizes and the PDF's pages, and how the time splits between reading the
plan and writing the file. WeasyPrint subsets the fonts with HarfBuzz when Debian's
libharfbuzz-subset0 is installed and with fontTools, slower, otherwise (stderr says which).
The run takes about 30-60 s, most of it migrating the throwaway database.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from harness import Context, HarnessError, benchmark, log, timed
from server import Site, site_env, start

INITIATIVES = 40
RUNS = 7
TIMEOUT_S = 600

EXPORT_PLAN = """
import json, statistics, sys, time
from datetime import date
import django
from django.core.management import call_command
django.setup()
call_command("migrate", interactive=False, verbosity=0)
call_command("register_load", verbosity=0)

from django.utils import translation
from forandra.municipalities.models import Municipality
from forandra.plans import services
from forandra.plans.document import plan_document
from forandra.plans.export_docx import to_docx
from forandra.plans.export_pdf import to_pdf
from forandra.plans.models import BudgetKind, Capability, Initiative
from forandra.scanning import services as scanning_services
from forandra.scanning.models import Wave

count, runs = int(sys.argv[1]), int(sys.argv[2])
home = Municipality.objects.get(code="2404")  # Vindeln
scanning_services.catalogue_seed(region=home.region)
waves = list(Wave.objects.filter(region=home.region).order_by("position", "key"))
partners = list(home.region.municipalities.exclude(pk=home.pk).order_by("name")[:4])
plan = services.plan_create(
    municipality=home, title="Digital omställning 2027–2029", first_year=2027, last_year=2029,
    user=None,
)
version = services.current_version(plan)
for section in version.sections.all():
    section.text = (
        f"Steg {section.step}: varför, vad och hur. " * 12
        + "\\n\\nVi följer upp varje kvartal i ledningsgruppen och berättar öppet hur det går."
    )
    section.save()
version.leadership_check = "Drift av e-tjänsterna är management; nya arbetssätt är ledarskap. " * 4
version.save()
capabilities = [
    Capability.objects.create(
        version=version, name=f"Förmåga {i + 1}", dimension=f"dim{i}",
        current_score=30 + 5 * i, target_score=60 + 5 * i, order=i,
    )
    for i in range(5)
]
kinds = [BudgetKind.INVESTMENT, BudgetKind.OPERATIONS, BudgetKind.INNOVATION]
for i in range(count):
    initiative = Initiative.objects.create(
        version=version,
        title=f"Initiativ {i + 1}: digital tjänst för invånarna inom område {i % 7 + 1}",
        owner=f"Förvaltning {i % 6 + 1}",
        start=date(2027, 1 + (i * 2) % 12, 1),
        end=date(2027 + i % 3, 12, 31),
        first_step="Kartlägg dagens arbetssätt tillsammans med medarbetarna.",
        citizen_benefit="Invånarna får svar snabbare och kan följa sitt ärende digitalt.",
        description="Bakgrund och mål för initiativet. " * 6,
        order=i,
    )
    services.set_budget(
        initiative=initiative,
        amounts=[
            (year, kind, 10_000 * (i + 1) + 1_000 * k + year - 2027)
            for year in (2027, 2028, 2029)
            for k, kind in enumerate(kinds)
        ],
    )
    initiative.waves.add(*waves[i % 5 : i % 5 + 1 + i % 3])
    initiative.capabilities.add(*capabilities[i % 5 : i % 5 + 1 + i % 2])
    initiative.collaborating.add(*partners[: i % 3])

def measure(write):
    read_s, total_s, cpu_s, size = [], [], [], 0
    for _ in range(runs + 1):
        started, cpu = time.perf_counter(), time.process_time()
        doc = plan_document(version)
        read = time.perf_counter()
        size = len(write(doc))
        finished = time.perf_counter()
        read_s.append(read - started)
        total_s.append(finished - started)
        cpu_s.append(time.process_time() - cpu)
    first = total_s.pop(0)  # loads the libraries and fonts: not timed
    read_s.pop(0)
    cpu_s.pop(0)
    return {
        "first_s": first, "times_s": total_s, "median_s": statistics.median(total_s),
        "read_median_s": statistics.median(read_s), "cpu_median_s": statistics.median(cpu_s),
        "bytes": size,
    }

with translation.override("sv"):
    figures = {"docx": measure(to_docx), "pdf": measure(to_pdf)}
    pdf = to_pdf(plan_document(version))
from io import BytesIO
from pypdf import PdfReader
figures["pdf"]["pages"] = len(PdfReader(BytesIO(pdf)).pages)
figures["initiatives"] = version.initiatives.count()
print(json.dumps(figures))
"""


@contextlib.contextmanager
def export_figures(ctx: Context) -> Iterator[dict[str, Any]]:
    """Both exports of the 40-initiative plan, timed once per run in a site of their own."""
    with tempfile.TemporaryDirectory(prefix="forandra-bench-plans-") as tmp:
        directory = Path(tmp)
        site = Site(directory, site_env(directory))
        with timed(f"plans: site made, {INITIATIVES} initiatives exported {RUNS} times each"):
            process = start(site, [sys.executable, "-c", EXPORT_PLAN, str(INITIATIVES), str(RUNS)])
            try:
                output, _ = process.communicate(timeout=TIMEOUT_S)
            except subprocess.TimeoutExpired as error:
                process.kill()
                process.communicate()
                raise HarnessError(f"the export did not finish within {TIMEOUT_S} s") from error
    lines = output.strip().splitlines()
    subsetter = "fontTools" if any("fontTools" in line for line in lines) else "HarfBuzz"
    log(f"fonts subset with {subsetter}")
    sys.stderr.write("".join(f"{line}\n" for line in lines[:-1] if "fontTools" not in line))
    if process.returncode != 0 or not lines or not lines[-1].startswith("{"):
        sys.stderr.write(output)
        raise HarnessError(f"the export process exited {process.returncode}")
    figures: dict[str, Any] = json.loads(lines[-1])
    if figures["initiatives"] != INITIATIVES:
        raise HarnessError(f"the plan has {figures['initiatives']} initiatives, not {INITIATIVES}")
    for kind in ("docx", "pdf"):
        part = figures[kind]
        log(
            f"{kind}: median {part['median_s']:.3f} s (reading the plan "
            f"{part['read_median_s'] * 1000:.0f} ms of it; CPU {part['cpu_median_s']:.3f} s), runs "
            + ", ".join(f"{t:.3f}" for t in part["times_s"])
            + f"; first export {part['first_s']:.2f} s with loading; {part['bytes'] / 1024:.0f} KB"
            + (f", {part['pages']} pages" if "pages" in part else "")
        )
    yield figures


@benchmark("plans.docx_s", unit="s", op="<=", target=1, precision=2)
def docx_s(ctx: Context) -> float:
    """Word export of a plan with 40 initiatives, the median of 7 warm runs."""
    return float(ctx.use(export_figures)["docx"]["median_s"])


@benchmark("plans.pdf_s", unit="s", op="<=", target=3, precision=2)
def pdf_s(ctx: Context) -> float:
    """PDF export of a plan with 40 initiatives, the median of 7 warm runs."""
    return float(ctx.use(export_figures)["pdf"]["median_s"])

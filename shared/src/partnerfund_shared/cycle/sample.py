"""Generate a sample school district in the file layouts real districts use.

Every value comes from `random.Random(seed)` and the invented word lists in `vocabulary`, so one
seed always writes the same bytes and no row is copied from a real district's files. The
generator only uses `Random.random`, `randrange`, `choice`, `sample` and `shuffle`, whose
sequences Python keeps stable across versions for a given seed.

Files written, one per importer:
- `schools.csv`: the school list (`School Code`, `RC Code`, `School Name`, `DESE Code`);
- `need-index-fyNN.csv`: the need-index sheet as the district publishes it (`School Code`,
  `RC Code`, `School Name`, `FYNN OI Score`), scores with one to three decimals, a few blank;
- `enrollment-fyNN.csv`: a state-style enrollment file (`bps_school_code`, `school_name`,
  `total_enrollment`) whose headers need a `columns` mapping;
- `partnerbps-partnership-overview.csv`: the PartnerBPS "Partnership Overview" export, one row
  per school and partner program, schools named by RC code and name;
- `portfolio-fyNN.csv`: Opportunity Portfolio decisions for about 75 of the programs
  (`organization_name`, `program_name`, `category`, `status`), mostly approved;
- `contacts.csv`: one leader per school, the Instructional Superintendents with their schools
  `;`-separated, and the central office;
- `cycle.toml`: the cycle file that runs these files, its calendar starting on the day the
  district is generated (see `sample_cycle`).

The portfolio draws from its own `random.Random`, seeded from the seed, so adding it left the
other files as they were for every seed.
"""

from __future__ import annotations

import csv
import random
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import TypeVar

from partnerfund_shared.cycle import vocabulary as words
from partnerfund_shared.cycle.config import DISTRICT_TIME_ZONE
from partnerfund_shared.cycle.sample_cycle import CYCLE_FILE, SampleFileNames, write_sample_cycle

DEFAULT_SEED = 2028
DEFAULT_FISCAL_YEAR = 2028

SCHOOL_LIST_FILE = "schools.csv"
PARTNERSHIPS_FILE = "partnerbps-partnership-overview.csv"
CONTACTS_FILE = "contacts.csv"

SCHOOL_LIST_HEADER = ("School Code", "RC Code", "School Name", "DESE Code")
ENROLLMENT_HEADER = ("bps_school_code", "school_name", "total_enrollment")
PARTNERSHIPS_HEADER = (
    "school_name",
    "rc_code",
    "school_neighborhood",
    "school_grades",
    "school_hours",
    "organization_name",
    "organization_website",
    "program_name",
    "program_areas",
    "program_subareas",
    "days_of_operation",
    "time_of_day",
    "grades_served",
    "student_fees",
    "service_capacity",
    "has_program_description",
    "has_goals_outcomes",
)
CONTACTS_HEADER = ("name", "email", "role", "school_code", "preferred_language")
PORTFOLIO_HEADER = ("organization_name", "program_name", "category", "status")

# Portfolio categories by program title, so a program's name shows its category.
# Programs with other titles (health, college and family programs) stay out of the portfolio.
PORTFOLIO_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Literacy": ("Reading Buddies", "Literacy Coaching", "Writers’ Workshop", "Book Club"),
    "STEM": ("Math Circle", "Science Explorers", "Robotics Lab", "Engineering Challenge"),
    "English learners": ("Homework Club", "Study Hall"),
    "Arts": words.PROGRAM_TITLES["Arts Programming"],
    "Social-emotional learning": words.PROGRAM_TITLES[words.SOCIAL_EMOTIONAL_AREA],
}
# Share of portfolio programs by status; the rest are declined.
APPROVED_SHARE = 0.82
QUALIFIED_SHARE = 0.09

# Need-index scores of a large urban district spread roughly from 0.15 to 0.9.
MIN_SCORE = Decimal("0.15")
MAX_SCORE = Decimal("0.90")
MIN_ENROLLMENT = 30
MAX_ENROLLMENT = 2400

Choice = TypeVar("Choice")


@dataclass(frozen=True)
class SampleSizes:
    """Size of the district to generate; the defaults are close to Boston's."""

    schools: int = 120
    organizations: int = 500
    programs: int = 900
    partnerships: int = 3400
    superintendents: int = 10
    blank_scores: int = 3
    portfolio: int = 75


@dataclass(frozen=True)
class SchoolLevel:
    """A kind of school: its grade spans, name patterns and enrollment range."""

    share: int
    grade_spans: tuple[tuple[str, str], ...]
    name_patterns: tuple[str, ...]
    enrollment: tuple[int, int]


SCHOOL_LEVELS: tuple[SchoolLevel, ...] = (
    SchoolLevel(
        share=8,
        grade_spans=(("K0", "1"), ("K0", "2"), ("K1", "3")),
        name_patterns=("{surname} Early Learning Center", "{place} Early Education Center"),
        enrollment=(90, 260),
    ),
    SchoolLevel(
        share=38,
        grade_spans=(("K0", "5"), ("K0", "6"), ("K1", "6"), ("K1", "5"), ("K2", "6")),
        name_patterns=(
            "{surname} Elementary School",
            "{first} {surname} Elementary School",
            "{place} Elementary School",
        ),
        enrollment=(150, 520),
    ),
    SchoolLevel(
        share=28,
        grade_spans=(("K0", "8"), ("K1", "8"), ("K2", "8")),
        name_patterns=("{surname} K-8 School", "{place} K-8 School", "{surname} Pilot School"),
        enrollment=(250, 750),
    ),
    SchoolLevel(
        share=6,
        grade_spans=(("6", "8"), ("4", "8")),
        name_patterns=("{surname} Middle School", "{place} Middle School"),
        enrollment=(220, 560),
    ),
    SchoolLevel(
        share=8,
        grade_spans=(("6", "12"), ("7", "12")),
        name_patterns=("{place} Academy", "{surname} Academy", "{place} Latin Academy"),
        enrollment=(350, 1500),
    ),
    SchoolLevel(
        share=22,
        grade_spans=(("9", "12"),),
        name_patterns=(
            "{place} High School",
            "{surname} High School",
            "{place} International High School",
            "{place} Community Academy",
        ),
        enrollment=(200, 1200),
    ),
    SchoolLevel(
        share=3,
        grade_spans=(("K0", "12"),),
        name_patterns=("{surname} K-12 Inclusion School",),
        enrollment=(300, 900),
    ),
)


@dataclass
class School:
    code: str
    rc_code: str
    dese_code: str
    name: str
    grades: tuple[str, ...]
    grades_label: str
    neighborhood: str
    hours: str
    score: Decimal | None = None
    score_text: str = ""
    enrollment: int | None = None


@dataclass
class Organization:
    name: str
    website: str


@dataclass
class Program:
    organization: Organization
    name: str
    areas: str
    subareas: str
    days: str
    time_of_day: str
    grades: tuple[str, ...]
    fees: str
    has_goals_outcomes: str
    popularity: float


@dataclass
class Contact:
    name: str
    email: str
    role: str
    school_codes: tuple[str, ...]
    preferred_language: str


@dataclass(frozen=True)
class SampleFiles:
    """Paths of the generated files, one per importer."""

    school_list: Path
    scores: Path
    enrollment: Path
    partnerships: Path
    portfolio: Path
    contacts: Path
    cycle: Path

    def all(self) -> tuple[Path, ...]:
        return (
            self.school_list,
            self.scores,
            self.enrollment,
            self.partnerships,
            self.portfolio,
            self.contacts,
            self.cycle,
        )


@dataclass(frozen=True)
class SampleSummary:
    """Counts of the generated rows, for the command's output and the tests."""

    files: SampleFiles
    schools: int
    blank_scores: int
    schools_without_enrollment: int
    total_enrollment: int
    organizations: int
    programs: int
    partnerships: int
    unmatched_partnership_rows: int
    # Programs in the portfolio file by status: {"approved": 62, "qualified": 7, "declined": 6}
    portfolio: dict[str, int]
    contacts: int
    superintendents: int
    # First day of the cycle file's calendar.
    calendar_start: date


@dataclass
class SampleDistrict:
    schools: list[School] = field(default_factory=list)
    programs: list[Program] = field(default_factory=list)
    partnerships: list[tuple[School, Program, str]] = field(default_factory=list)
    unmatched_rows: list[tuple[str, str, Program]] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)


def scores_file_name(fiscal_year: int) -> str:
    return f"need-index-fy{fiscal_year % 100:02d}.csv"


def enrollment_file_name(fiscal_year: int) -> str:
    return f"enrollment-fy{fiscal_year % 100:02d}.csv"


def portfolio_file_name(fiscal_year: int) -> str:
    return f"portfolio-fy{fiscal_year % 100:02d}.csv"


def score_header(fiscal_year: int) -> str:
    return f"FY{fiscal_year % 100:02d} OI Score"


def generate_sample_district(
    out_dir: Path,
    *,
    seed: int = DEFAULT_SEED,
    fiscal_year: int = DEFAULT_FISCAL_YEAR,
    sizes: SampleSizes = SampleSizes(),
    today: date | None = None,
) -> SampleSummary:
    """Write the sample district's files into `out_dir` and return what they contain.

    `today` (default: today in Boston) is the first day of the cycle file's calendar; one seed
    and one day always write the same bytes.
    """
    today = today or datetime.now(DISTRICT_TIME_ZONE).date()
    rng = random.Random(seed)

    district = SampleDistrict()
    district.schools = build_schools(rng, sizes)
    organizations = build_organizations(rng, sizes.organizations)
    district.programs = build_programs(rng, organizations, sizes.programs)
    district.partnerships = build_partnerships(rng, district.schools, district.programs, sizes)
    district.unmatched_rows = build_unmatched_rows(rng, district.programs)
    district.contacts = build_contacts(rng, district.schools, sizes.superintendents)
    portfolio = build_portfolio(random.Random(f"portfolio-{seed}"), district.programs, sizes.portfolio)

    out_dir.mkdir(parents=True, exist_ok=True)
    names = SampleFileNames(
        school_list=SCHOOL_LIST_FILE,
        scores=scores_file_name(fiscal_year),
        enrollment=enrollment_file_name(fiscal_year),
        partnerships=PARTNERSHIPS_FILE,
        portfolio=portfolio_file_name(fiscal_year),
        contacts=CONTACTS_FILE,
    )
    files = SampleFiles(
        school_list=out_dir / names.school_list,
        scores=out_dir / names.scores,
        enrollment=out_dir / names.enrollment,
        partnerships=out_dir / names.partnerships,
        portfolio=out_dir / names.portfolio,
        contacts=out_dir / names.contacts,
        cycle=out_dir / CYCLE_FILE,
    )
    write_school_list(files.school_list, district.schools)
    write_scores(files.scores, district.schools, fiscal_year)
    write_enrollment(files.enrollment, district.schools)
    write_partnerships(files.partnerships, district)
    write_portfolio(files.portfolio, portfolio)
    write_contacts(files.contacts, district.contacts)
    write_sample_cycle(files.cycle, names, fiscal_year=fiscal_year, seed=seed, today=today)

    enrolled = [school.enrollment for school in district.schools if school.enrollment is not None]
    return SampleSummary(
        files=files,
        schools=len(district.schools),
        blank_scores=sum(1 for school in district.schools if school.score is None),
        schools_without_enrollment=len(district.schools) - len(enrolled),
        total_enrollment=sum(enrolled),
        organizations=len({program.organization.name for program in district.programs}),
        programs=len(district.programs),
        partnerships=len(district.partnerships),
        unmatched_partnership_rows=len(district.unmatched_rows),
        portfolio=dict(Counter(status for _, _, status in portfolio)),
        contacts=len(district.contacts),
        superintendents=sum(
            1 for contact in district.contacts if contact.role == "instructional_superintendent"
        ),
        calendar_start=today,
    )


# Schools


def build_schools(rng: random.Random, sizes: SampleSizes) -> list[School]:
    levels = assign_levels(rng, sizes.schools)
    codes = unique_codes(rng, sizes.schools, low=1000, high=5000)
    # Two schools get a code below 1000, so a leading zero ("0412") shows that codes stay text.
    low_codes = unique_codes(rng, 2, low=100, high=1000)
    for index, low_code in zip(rng.sample(range(len(codes)), 2), low_codes, strict=True):
        codes[index] = f"0{low_code}"
    rc_codes = ["101" + code for code in unique_codes(rng, sizes.schools, low=100, high=1000)]
    dese_codes = ["00350" + code for code in unique_codes(rng, sizes.schools, low=0, high=1000)]

    names: set[str] = set()
    schools = []
    for index, level in enumerate(levels):
        first, last = rng.choice(level.grade_spans)
        grades = grade_range(first, last)
        school = School(
            code=codes[index],
            rc_code=rc_codes[index],
            dese_code=dese_codes[index],
            name=unique_name(rng, names, level.name_patterns),
            grades=grades,
            grades_label=f"{first}-{last}",
            neighborhood="" if rng.random() < 0.01 else rng.choice(words.NEIGHBORHOODS),
            hours=rng.choice(words.SCHOOL_HOURS),
        )
        school.enrollment = rng.randrange(level.enrollment[0], level.enrollment[1] + 1)
        assign_score(rng, school)
        schools.append(school)

    schools.sort(key=lambda school: school.code)
    stretch_enrollment_range(schools)
    share_one_rc_code(rng, schools)
    blank_some_scores(rng, schools, sizes.blank_scores)
    return schools


def assign_levels(rng: random.Random, count: int) -> list[SchoolLevel]:
    total_share = sum(level.share for level in SCHOOL_LEVELS)
    levels: list[SchoolLevel] = []
    for level in SCHOOL_LEVELS:
        levels.extend([level] * round(count * level.share / total_share))
    while len(levels) < count:
        levels.append(SCHOOL_LEVELS[1])
    del levels[count:]
    rng.shuffle(levels)
    return levels


def assign_score(rng: random.Random, school: School) -> None:
    """Draw a score from a triangular spread over 0.15-0.9 and write it with 1 to 3 decimals."""
    position = Decimal(str(round((rng.random() + rng.random()) / 2, 6)))
    score = (MIN_SCORE + (MAX_SCORE - MIN_SCORE) * position).quantize(Decimal("0.001"))
    draw = rng.random()
    if draw < 0.05:
        score = score.quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)
    elif draw < 0.2:
        score = score.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    score = min(max(score, MIN_SCORE), MAX_SCORE)
    school.score = score
    school.score_text = format_score(score)


def format_score(score: Decimal) -> str:
    """Write a score the way a spreadsheet export does: no trailing zeros ("0.5", "0.41")."""
    text = f"{score:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def stretch_enrollment_range(schools: list[School]) -> None:
    """Give the smallest school exactly 30 students and the largest exactly 2,400."""
    smallest = min(schools, key=lambda school: (school.enrollment or 0, school.code))
    largest = max(schools, key=lambda school: (school.enrollment or 0, school.code))
    smallest.enrollment = MIN_ENROLLMENT
    largest.enrollment = MAX_ENROLLMENT


def share_one_rc_code(rng: random.Random, schools: list[School]) -> None:
    """Put two schools on one budget code, as a school and its annex share one."""
    first, second = rng.sample(range(len(schools)), 2)
    schools[second].rc_code = schools[first].rc_code


def blank_some_scores(rng: random.Random, schools: list[School], count: int) -> None:
    """Blank a few scores (new, merging or closing schools); all but one also lack enrollment.

    One more school with a high score (0.6 or more) has no enrollment row, so a run that joins
    scores with enrollment has an incomplete, otherwise eligible school to report.
    """
    chosen = rng.sample(range(len(schools)), count)
    for position, index in enumerate(chosen):
        schools[index].score = None
        schools[index].score_text = ""
        if position > 0:
            schools[index].enrollment = None

    high_need = [school for school in schools if school.score is not None and school.score >= Decimal("0.6")]
    rng.choice(high_need).enrollment = None


# Organizations and programs


def build_organizations(rng: random.Random, count: int) -> list[Organization]:
    names: set[str] = set()
    organizations = []
    patterns = (
        "{word} {kind}",
        "{word} {kind}",
        "{place} {kind}",
        "{surname} {kind}",
        "Friends of {place}",
        "{word}{word2} {kind}",
        "{surname} Foundation",
    )
    for _ in range(count):
        name = unique_name(rng, names, patterns)
        organizations.append(Organization(name=name, website=website_for(rng, name)))
    return organizations


def website_for(rng: random.Random, organization_name: str) -> str:
    """Write an `example.org` address in one of the styles people type into a web form."""
    slug = ascii_slug(organization_name, separator="")
    draw = rng.random()
    if draw < 0.05:
        return ""
    if draw < 0.45:
        return f"www.{slug}.example.org"
    if draw < 0.7:
        return f"https://www.{slug}.example.org"
    if draw < 0.85:
        return f"{slug}.example.org"
    if draw < 0.95:
        return f"https://{slug}.example.org/programs"
    camel = "".join(part for part in ascii_slug(organization_name, separator=" ").title().split())
    return f"{camel}.example.org"


def build_programs(rng: random.Random, organizations: Sequence[Organization], count: int) -> list[Program]:
    # Every organization offers at least one program; a few large ones offer many.
    owners = list(organizations)
    organization_weights = [1.0 / (rank + 1) ** 0.7 for rank in range(len(organizations))]
    while len(owners) < count:
        owners.append(weighted_choice(rng, organizations, organization_weights))

    program_names: set[tuple[str, str]] = set()
    programs = []
    for organization in owners:
        areas = draw_areas(rng)
        primary_area = canonical_area(areas[0]) if areas else "Academic Support & Enrichment"
        name = program_name(rng, organization, primary_area, program_names)
        programs.append(
            Program(
                organization=organization,
                name=name,
                areas=";".join(areas),
                subareas=draw_subareas(rng, areas),
                days=weighted_cell(rng, words.DAYS_OF_OPERATION_CELLS),
                time_of_day=weighted_cell(rng, words.TIME_OF_DAY_CELLS),
                grades=draw_program_grades(rng),
                fees=weighted_cell(rng, words.STUDENT_FEES_CELLS),
                has_goals_outcomes="no" if rng.random() < 0.02 else "yes",
                popularity=0.2 + rng.random() ** 3 * 4,
            )
        )
    return programs


def draw_areas(rng: random.Random) -> list[str]:
    draw = rng.random()
    if draw < 0.06:
        return []
    if draw < 0.6:
        count = 1
    elif draw < 0.98:
        count = 2
    else:
        count = 3
    names = list(words.PROGRAM_AREA_WEIGHTS)
    weights = [float(weight) for weight in words.PROGRAM_AREA_WEIGHTS.values()]
    areas: list[str] = []
    while len(areas) < count:
        area = weighted_choice(rng, names, weights)
        if area not in areas:
            areas.append(area)
    # About a third of exports spell the social-emotional area without its comma.
    return [
        words.SOCIAL_EMOTIONAL_AREA_VARIANT
        if area == words.SOCIAL_EMOTIONAL_AREA and rng.random() < 0.38
        else area
        for area in areas
    ]


def canonical_area(area: str) -> str:
    if area == words.SOCIAL_EMOTIONAL_AREA_VARIANT:
        return words.SOCIAL_EMOTIONAL_AREA
    return area


def draw_subareas(rng: random.Random, areas: Sequence[str]) -> str:
    if not areas or rng.random() < 0.12:
        return ""
    subareas: list[str] = []
    for area in areas:
        choices = words.PROGRAM_AREAS[canonical_area(area)]
        for _ in range(1 if rng.random() < 0.7 else 2):
            subarea = rng.choice(choices)
            if subarea not in subareas:
                subareas.append(subarea)
    return ";".join(subareas)


def draw_program_grades(rng: random.Random) -> tuple[str, ...]:
    """Draw a contiguous span of grades; some programs leave grades blank."""
    if rng.random() < 0.1:
        return ()
    first = rng.randrange(len(words.GRADES))
    last = rng.randrange(first, min(first + 9, len(words.GRADES)))
    grades = words.GRADES[first : last + 1]
    if int_grade(grades[-1]) >= 9 and rng.random() < 0.3:
        grades = (*grades, words.ALTERNATIVE_EDUCATION)
    return grades


def program_name(
    rng: random.Random,
    organization: Organization,
    area: str,
    taken: set[tuple[str, str]],
) -> str:
    titles = words.PROGRAM_TITLES[area]
    for attempt in range(100):
        title = rng.choice(titles)
        if attempt < 3 and rng.random() < 0.5:
            name = title
        else:
            name = f"{rng.choice(words.ORGANIZATION_WORDS)} {title}"
        if (organization.name, name) not in taken:
            taken.add((organization.name, name))
            return name
    raise RuntimeError(f"no free program name for {organization.name}")


# Partnerships


def build_partnerships(
    rng: random.Random,
    schools: Sequence[School],
    programs: Sequence[Program],
    sizes: SampleSizes,
) -> list[tuple[School, Program, str]]:
    """Pair schools with programs that serve their grades, about 28 programs per school.

    Each program first gets one school, so every program appears in the export. Then each school
    is filled up to its own target. Targets vary from half to one and a half times the mean and
    add up to about `sizes.partnerships`.
    """
    compatible = {
        school.code: [program for program in programs if serves_school(program, school)] for school in schools
    }
    pairs: dict[str, list[Program]] = {school.code: [] for school in schools}

    for program in programs:
        host_schools = [school for school in schools if serves_school(program, school)]
        school = rng.choice(host_schools or list(schools))
        pairs[school.code].append(program)

    raw_targets = [0.5 + rng.random() for _ in schools]
    scale = sizes.partnerships / sum(raw_targets)
    for school, raw_target in zip(schools, raw_targets, strict=True):
        target = round(raw_target * scale)
        taken = {id(program) for program in pairs[school.code]}
        offered = [program for program in compatible[school.code] if id(program) not in taken]
        missing = max(0, target - len(pairs[school.code]))
        pairs[school.code].extend(weighted_sample(rng, offered, missing))

    rows = []
    for school in schools:
        for program in pairs[school.code]:
            rows.append((school, program, capacity_cell(rng)))
    return rows


def serves_school(program: Program, school: School) -> bool:
    return not program.grades or any(grade in school.grades for grade in program.grades)


def build_unmatched_rows(rng: random.Random, programs: Sequence[Program]) -> list[tuple[str, str, Program]]:
    """Add partnerships at sites that are not schools, as real exports contain them.

    School RC codes are 101xxx; these sites have no RC code or one outside that range.
    """
    sites = (
        ("Central Office - Family Engagement", ""),
        ("Adult Education Center", "104010"),
        ("Central Office - Family Engagement", ""),
        ("Re-Engagement Center", "104020"),
    )
    return [(name, rc_code, rng.choice(programs)) for name, rc_code in sites]


def capacity_cell(rng: random.Random) -> str:
    return "" if rng.random() < 0.15 else rng.choice(words.SERVICE_CAPACITIES)


def export_school_name(school: School) -> str:
    """Name the school as the partnership site does; some sites spell it differently."""
    if int(school.rc_code[-1]) % 7 == 0 and school.name.endswith(" High School"):
        return school.name.removesuffix(" High School") + " Highschool"
    if int(school.rc_code[-1]) % 7 == 3 and school.name.endswith(" Elementary School"):
        return school.name.removesuffix(" School")
    return school.name


# Opportunity Portfolio


def build_portfolio(
    rng: random.Random, programs: Sequence[Program], count: int
) -> list[tuple[Program, str, str]]:
    """Pick about `count` programs with a portfolio category and give each a status.

    Programs whose names fold to the same text are offered once, because the catalog stores
    them as one program and the import rejects a program decided twice.
    """
    candidates: dict[str, tuple[Program, str]] = {}
    for program in programs:
        category = portfolio_category(program)
        key = (
            ascii_slug(program.organization.name, separator=" ")
            + "/"
            + ascii_slug(program.name, separator=" ")
        )
        if category is not None and key not in candidates:
            candidates[key] = (program, category)

    chosen = rng.sample(sorted(candidates), min(count, len(candidates)))
    decisions = []
    for key in chosen:
        program, category = candidates[key]
        draw = rng.random()
        if draw < APPROVED_SHARE:
            status = "approved"
        elif draw < APPROVED_SHARE + QUALIFIED_SHARE:
            status = "qualified"
        else:
            status = "declined"
        decisions.append((program, category, status))
    decisions.sort(key=lambda row: (row[1], row[0].organization.name.lower(), row[0].name.lower()))
    return decisions


def portfolio_category(program: Program) -> str | None:
    """Return the category of the program's title: "Ember Robotics Lab" is STEM."""
    for category, titles in PORTFOLIO_CATEGORIES.items():
        if any(program.name == title or program.name.endswith(f" {title}") for title in titles):
            return category
    return None


# Contacts


def build_contacts(rng: random.Random, schools: Sequence[School], superintendent_count: int) -> list[Contact]:
    emails: set[str] = set()
    contacts = []

    # The first superintendent's name checks that accents survive every step of a message.
    networks = split_into_networks(rng, [school.code for school in schools], superintendent_count)
    for index, network in enumerate(networks):
        name = "José Núñez" if index == 0 else person_name(rng)
        contacts.append(
            Contact(
                name=name,
                email=unique_email(name, emails),
                role="instructional_superintendent",
                school_codes=tuple(network),
                preferred_language="en",
            )
        )

    for school in schools:
        name = person_name(rng)
        contacts.append(
            Contact(
                name=name,
                email=unique_email(name, emails),
                role="school_leader",
                school_codes=(school.code,),
                preferred_language=weighted_cell(rng, words.LANGUAGES),
            )
        )

    for _ in range(3):
        name = person_name(rng)
        contacts.append(
            Contact(
                name=name,
                email=unique_email(name, emails),
                role="central_office",
                school_codes=(),
                preferred_language="en",
            )
        )
    return contacts


def split_into_networks(rng: random.Random, codes: list[str], count: int) -> list[list[str]]:
    shuffled = list(codes)
    rng.shuffle(shuffled)
    networks = [sorted(shuffled[index::count]) for index in range(count)]
    return networks


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(words.FIRST_NAMES)} {rng.choice(words.FAMILY_NAMES)}"


def unique_email(name: str, taken: set[str]) -> str:
    local = ascii_slug(name, separator=".")
    candidate = f"{local}@example.org"
    number = 2
    while candidate in taken:
        candidate = f"{local}{number}@example.org"
        number += 1
    taken.add(candidate)
    return candidate


# Writers


def write_school_list(path: Path, schools: Iterable[School]) -> None:
    write_csv(
        path,
        SCHOOL_LIST_HEADER,
        ((school.code, school.rc_code, school.name, school.dese_code) for school in schools),
    )


def write_scores(path: Path, schools: Iterable[School], fiscal_year: int) -> None:
    header = ("School Code", "RC Code", "School Name", score_header(fiscal_year))
    write_csv(
        path,
        header,
        ((school.code, school.rc_code, school.name, school.score_text) for school in schools),
    )


def write_enrollment(path: Path, schools: Iterable[School]) -> None:
    # State enrollment files are sorted by school name, not by code.
    rows = sorted(
        (
            (school.code, school.name, str(school.enrollment))
            for school in schools
            if school.enrollment is not None
        ),
        key=lambda row: row[1],
    )
    write_csv(path, ENROLLMENT_HEADER, rows)


def write_partnerships(path: Path, district: SampleDistrict) -> None:
    rows = [
        partnership_row(export_school_name(school), school.rc_code, school, program, capacity)
        for school, program, capacity in district.partnerships
    ]
    rows.extend(
        partnership_row(name, rc_code, None, program, "")
        for name, rc_code, program in district.unmatched_rows
    )
    rows.sort(key=lambda row: (row[5].lower(), row[7].lower(), row[0]))
    write_csv(path, PARTNERSHIPS_HEADER, rows)


def partnership_row(
    site_name: str, rc_code: str, school: School | None, program: Program, capacity: str
) -> tuple[str, ...]:
    if school is None:
        grades_served = ";".join(program.grades)
    else:
        grades_served = ";".join(
            grade
            for grade in program.grades
            if grade in school.grades or (grade == words.ALTERNATIVE_EDUCATION and "12" in school.grades)
        )
    return (
        site_name,
        rc_code,
        school.neighborhood if school else "",
        school.grades_label if school else "",
        school.hours if school else "",
        program.organization.name,
        program.organization.website,
        program.name,
        program.areas,
        program.subareas,
        program.days,
        program.time_of_day,
        grades_served,
        program.fees,
        capacity,
        "yes",
        program.has_goals_outcomes,
    )


def write_portfolio(path: Path, decisions: Iterable[tuple[Program, str, str]]) -> None:
    write_csv(
        path,
        PORTFOLIO_HEADER,
        (
            (program.organization.name, program.name, category, status)
            for program, category, status in decisions
        ),
    )


def write_contacts(path: Path, contacts: Iterable[Contact]) -> None:
    write_csv(
        path,
        CONTACTS_HEADER,
        (
            (
                contact.name,
                contact.email,
                contact.role,
                ";".join(contact.school_codes),
                contact.preferred_language,
            )
            for contact in contacts
        ),
    )


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


# Small helpers


def unique_codes(rng: random.Random, count: int, *, low: int, high: int) -> list[str]:
    width = len(str(high - 1))
    codes: list[str] = []
    seen: set[int] = set()
    while len(codes) < count:
        value = rng.randrange(low, high)
        if value not in seen:
            seen.add(value)
            codes.append(f"{value:0{width}d}")
    return codes


def unique_name(rng: random.Random, taken: set[str], patterns: Sequence[str]) -> str:
    for _ in range(1000):
        name = rng.choice(patterns).format(
            surname=rng.choice(words.SURNAMES),
            first=rng.choice(words.FIRST_NAMES),
            place=rng.choice(words.PLACES),
            word=rng.choice(words.ORGANIZATION_WORDS),
            word2=rng.choice(words.ORGANIZATION_WORDS).lower(),
            kind=rng.choice(words.ORGANIZATION_KINDS),
        )
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("the word lists ran out of distinct names")


def grade_range(first: str, last: str) -> tuple[str, ...]:
    start = words.GRADES.index(first)
    end = words.GRADES.index(last)
    return words.GRADES[start : end + 1]


def int_grade(grade: str) -> int:
    return -1 if grade.startswith("K") else int(grade)


def ascii_slug(text: str, *, separator: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    parts = "".join(char if char.isalnum() else " " for char in plain).split()
    return separator.join(parts)


def weighted_cell(rng: random.Random, cells: Sequence[tuple[str, int]]) -> str:
    return weighted_choice(rng, [cell for cell, _ in cells], [float(w) for _, w in cells])


def weighted_choice(rng: random.Random, choices: Sequence[Choice], weights: Sequence[float]) -> Choice:
    point = rng.random() * sum(weights)
    for choice, weight in zip(choices, weights, strict=True):
        point -= weight
        if point < 0:
            return choice
    return choices[-1]


def weighted_sample(rng: random.Random, programs: Sequence[Program], count: int) -> list[Program]:
    """Draw `count` distinct programs, more popular ones more often (Efraimidis-Spirakis keys)."""
    keyed = [(rng.random() ** (1.0 / program.popularity), index) for index, program in enumerate(programs)]
    keyed.sort(reverse=True)
    return [programs[index] for _, index in keyed[:count]]

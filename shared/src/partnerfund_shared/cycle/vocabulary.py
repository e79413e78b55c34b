"""Word lists for the sample district.

The PartnerBPS vocabularies (program areas and subareas, times of day, grades) are the terms the
district's partnership export uses, including its near-duplicate spellings, so that the sample
goes through the same normalisation as a real export. Every name of a person, school or
organization is assembled from the invented word lists further down.
"""

from __future__ import annotations

# Program areas with the subareas the PartnerBPS export files under each. The two spellings of
# the social-emotional area are one area written two ways, as in real exports.
PROGRAM_AREAS: dict[str, tuple[str, ...]] = {
    "Academic Support & Enrichment": (
        "Multidisciplinary",
        "Literacy",
        "English Language Arts",
        "Math",
        "Science",
        "Engineering",
        "Writing",
        "Study Skills Development",
        "Advanced Placement",
        "Service-Learning",
    ),
    "Social, Emotional & Behavioral Health": (
        "Social Emotional Learning",
        "Social-Emotional Learning",
        "Mental and Behavioral Health",
        "Identity Exploration",
        "Mentoring",
        "Cultural Proficiency",
        "Student Leadership Development",
        "Leadership Development",
    ),
    "Physical Health & Wellness": ("Physical Activity", "Primary Healthcare"),
    "College, Career & Life Readiness": (
        "College Advising",
        "College Applications",
        "College Visits",
        "Financial Aid",
        "Financial Aid Advising/FAFSA Completion",
        "Personal Financial Literacy/Management",
        "Post Secondary Planning",
        "Job & Employment Preparation",
        "Career Advising",
        "Career Speakers",
        "Career & Life Readiness",
        "Work-based Learning",
        "Workforce Development",
        "Job Shadowing",
        "Resume Development",
        "Workplace College",
        "Vocation Placement",
        "Leadership Training",
    ),
    "Arts Programming": (
        "Dance",
        "Literary Arts",
        "Multi-disciplinary",
        "Visual Arts",
        "Arts Integration",
        "Storytelling",
        "Theatre",
        "Instrumental Music",
        "Choral/General Music",
    ),
    "Family Engagement & Support": ("Clothing and Other Material Resources",),
}

# Relative frequency of each area among programs, close to what a district export shows.
PROGRAM_AREA_WEIGHTS: dict[str, int] = {
    "Academic Support & Enrichment": 30,
    "Social, Emotional & Behavioral Health": 35,
    "Physical Health & Wellness": 15,
    "College, Career & Life Readiness": 10,
    "Arts Programming": 8,
    "Family Engagement & Support": 6,
}

SOCIAL_EMOTIONAL_AREA = "Social, Emotional & Behavioral Health"
SOCIAL_EMOTIONAL_AREA_VARIANT = "Social Emotional & Behavioral Health"

# Times-of-day cells as exports write them; "" (blank) is the most common cell.
TIME_OF_DAY_CELLS: tuple[tuple[str, int], ...] = (
    ("", 48),
    ("School Day", 22),
    ("Afterschool", 9),
    ("Afterschool;Weekend", 4),
    ("Afterschool;School Day (Class Time)", 4),
    ("School Day;Afterschool", 3),
    ("School Day (Class Time)", 3),
    ("Summer;Weekend", 2),
    ("School Day (Class Time);Afterschool;School Day (Non-Class Time)", 2),
    ("Before School;School Day;Afterschool", 1),
    ("Afterschool;Summer", 1),
    ("Before School;Afterschool;Summer;School Vacation", 1),
    ("School Day (Non-Class Time)", 1),
)

DAYS_OF_OPERATION_CELLS: tuple[tuple[str, int], ...] = (
    ("Monday;Tuesday;Wednesday;Thursday;Friday", 36),
    ("", 18),
    ("Monday;Tuesday;Wednesday;Thursday;Friday;Saturday;Sunday", 10),
    ("Wednesday", 5),
    ("Thursday", 5),
    ("Tuesday", 4),
    ("Monday;Tuesday;Wednesday;Thursday", 3),
    ("Monday", 3),
    ("Tuesday;Thursday", 3),
    ("Monday;Wednesday;Friday", 2),
    ("Saturday", 2),
)

# Student fees: Yes / No / Unknown or blank, mostly No.
STUDENT_FEES_CELLS: tuple[tuple[str, int], ...] = (("No", 88), ("Yes", 9), ("", 2), ("Unknown", 1))

SERVICE_CAPACITIES: tuple[str, ...] = (
    "12", "16", "20", "24", "25", "30", "40", "50", "60", "100", "120", "150", "200", "350",
    "500", "750", "1000",
)  # fmt: skip

# Grades in the order PartnerBPS lists them; "Alternative Education" is a grade value there.
GRADES: tuple[str, ...] = (
    "K0", "K1", "K2", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12",
)  # fmt: skip
ALTERNATIVE_EDUCATION = "Alternative Education"

NEIGHBORHOODS: tuple[str, ...] = (
    "Dorchester", "Roxbury", "Jamaica Plain", "Allston-Brighton", "East Boston", "Downtown",
    "Mattapan", "South End", "Charlestown", "Hyde Park", "West Roxbury", "South Boston",
    "Roslindale", "Fenway-Kenmore", "Back Bay-Beacon Hill",
)  # fmt: skip

SCHOOL_HOURS: tuple[str, ...] = (
    "8:30-3:10", "9:30-4:10", "7:30-2:10", "7:30-1:50", "8:00-3:00", "7:20-2:00", "9:30-3:30",
    "8:00-2:30", "8:30-3:00", "7:25-2:35", "7:55-2:20", "8:30-3:30", "7:45-2:30", "8:45-3:35",
    "7:20-1:40; 9:30-3:40", "9:00-2:27",
)  # fmt: skip

# Invented name parts. Surnames and places are combined, so no real school, person or
# organization is named on purpose.
SURNAMES: tuple[str, ...] = (
    "Abernathy", "Achterberg", "Adeyemi", "Alvarado", "Ambrose", "Ashgrove", "Baptiste",
    "Barrowman", "Bellamy", "Bergström", "Blackwood", "Brightwater", "Cabral", "Calloway",
    "Carrington", "Castellano", "Chadwick", "Coelho", "Corcoran", "Dalembert", "Delacroix",
    "Desrosiers", "Dunmore", "Easterbrook", "Elmsworth", "Esposito", "Fairbanks", "Farouk",
    "Fenwright", "Figueroa", "Fontaine", "Galloway", "Garrity", "Gonçalves", "Greenleaf",
    "Halvorsen", "Hargrove", "Hawthorne", "Holloway", "Ibarra", "Ingersoll", "Jablonski",
    "Joseph", "Kavanagh", "Kingsley", "Lafleur", "Lamarre", "Langford", "Lindqvist", "Lockhart",
    "Lowell-Pierce", "Macedo", "Marchetti", "Marsh", "Mbeki", "McAllister", "Merriweather",
    "Montrose", "Moreau", "Nakamura", "Navarro", "Northcott", "Núñez", "Oduya", "Okafor",
    "Oyelaran", "Pemberton", "Pereira", "Prescott", "Quintero", "Radcliffe", "Ramírez",
    "Ravenscroft", "Redfield", "Ridgeway", "Rosario", "Saint-Fleur", "Salazar", "Seaver",
    "Shelburne", "Sinclair", "Soares", "Stanhope", "Sterling", "Tavares", "Thornbury",
    "Tremblay", "Underhill", "Valcourt", "Vasconcelos", "Wainwright", "Wexford", "Whitcombe",
    "Winslow-Hart", "Yarborough", "Zamora",
)  # fmt: skip

FIRST_NAMES: tuple[str, ...] = (
    "Adaeze", "Aisha", "Alejandro", "Amara", "Ana Lúcia", "Anh", "Beatriz", "Brendan", "Camille",
    "Carlos", "Chloé", "Daniela", "Darnell", "Deirdre", "Dimitri", "Eamon", "Élodie", "Emeka",
    "Esperanza", "Fatima", "François", "Gabriel", "Grace", "Guadalupe", "Hannah", "Héctor",
    "Ibrahim", "Inês", "Jamal", "Jean-Baptiste", "Joaquín", "Kayla", "Keisha", "Kenji", "Lakshmi",
    "Liam", "Lucía", "Malik", "Marisol", "Mei", "Miguel", "Naomi", "Nadège", "Oluwaseun",
    "Patrice", "Priya", "Rafael", "Renée", "Rosa", "Samuel", "Siobhán", "Sofía", "Tamika",
    "Thảo", "Tomás", "Valentina", "Wei", "Xiomara", "Yusuf", "Zoë",
)  # fmt: skip

FAMILY_NAMES: tuple[str, ...] = (
    "Adebayo", "Almeida", "Barros", "Beaulieu", "Brennan", "Cardoso", "Chen", "Coleman",
    "Costa", "Desir", "Doyle", "Duarte", "Estrada", "Fitzgerald", "Fonseca", "García",
    "Gutiérrez", "Haddad", "Hernández", "Jean-Louis", "Kimura", "Lopes", "Mahoney", "Medeiros",
    "Mendoza", "Moïse", "Morales", "Murphy", "Nguyễn", "Núñez", "O'Connell", "Okonkwo",
    "Ortiz", "Pham", "Pierre", "Quiñones", "Reyes", "Rodrigues", "Santiago", "Shapiro",
    "Silva", "Sullivan", "Tran", "Vázquez", "Walsh", "Washington", "Williams", "Zhang",
)  # fmt: skip

PLACES: tuple[str, ...] = (
    "Alder Park", "Ashmont Ridge", "Bayside", "Beacon Crest", "Birch Meadow", "Blue Hill Vale",
    "Cedar Grove", "Clover Heights", "Copper Beech", "Crescent Bay", "Elm Terrace", "Fenwick Hill",
    "Foxglove", "Granite Point", "Harborview", "Heron Cove", "Juniper Square", "Kestrel Field",
    "Lantern Hill", "Linden Way", "Maple Commons", "Marsh Landing", "Millbrook", "Morningside",
    "North Quay", "Oak Hollow", "Orchard Park", "Pine Bluff", "Quarry Point", "Riverbend",
    "Rose Garden", "Saltmarsh", "Seawall", "Silver Lake", "Spruce Hollow", "Stonegate",
    "Summit Green", "Sycamore", "Tidewater", "Trinity Square", "Upland", "Willow Brook",
)  # fmt: skip

ORGANIZATION_WORDS: tuple[str, ...] = (
    "Bright", "Open", "Rising", "Steady", "Kindred", "Northstar", "Common", "Harbor", "Lantern",
    "Bridge", "Compass", "Evergreen", "Keystone", "Pathway", "Summit", "Beacon", "Spark",
    "Tandem", "Wellspring", "Anchor", "Horizon", "Cornerstone", "Meridian", "Firefly", "Ember",
    "Canopy", "Riverstone", "Tallgrass", "Wayfinder", "Skylark",
)  # fmt: skip

ORGANIZATION_KINDS: tuple[str, ...] = (
    "Youth Collective", "Learning Lab", "Arts Alliance", "Youth Rowing", "Mentoring Network",
    "Science Center", "Music Project", "Family Center", "Health Partners", "Futures",
    "Readers", "Dance Company", "Theatre Works", "Coding Club", "Outdoor School",
    "Community Center", "Career Pathways", "Wellness Project", "Writing Studio", "Chess Club",
    "Soccer League", "Debate League", "Tutoring Corps", "Counseling Services", "Makerspace",
)  # fmt: skip

# Program name endings per area, combined with an organization word to name a program.
PROGRAM_TITLES: dict[str, tuple[str, ...]] = {
    "Academic Support & Enrichment": (
        "Reading Buddies", "Math Circle", "Homework Club", "Science Explorers", "Writers’ Workshop",
        "Robotics Lab", "Literacy Coaching", "Study Hall", "Engineering Challenge", "Book Club",
    ),
    "Social, Emotional & Behavioral Health": (
        "Peer Mentoring", "Circle Time", "Mindful Mornings", "Counseling Groups",
        "Restorative Practices", "Youth Voices", "Leadership Council", "Girls’ Group",
    ),
    "Physical Health & Wellness": (
        "Swim Program", "Fitness Hour", "Rowing Team", "School Clinic", "Soccer Clinic",
        "Yoga Club", "Healthy Habits",
    ),
    "College, Career & Life Readiness": (
        "College Access", "Career Exploration", "Summer Internships", "FAFSA Nights",
        "Job Readiness", "Financial Literacy", "Campus Visits",
    ),
    "Arts Programming": (
        "Dance Residency", "Theatre Ensemble", "String Orchestra", "Mural Project",
        "Poetry Slam", "Chorus", "Storytelling Circle",
    ),
    "Family Engagement & Support": (
        "Family Closet", "Parent University", "Family Nights", "Coat Drive",
    ),
}  # fmt: skip

LANGUAGES: tuple[tuple[str, int], ...] = (
    ("en", 75), ("es", 12), ("ht", 4), ("vi", 3), ("zh", 3), ("pt", 3),
)  # fmt: skip

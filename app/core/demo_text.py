"""Words for the Harbor Falls demo city: names, businesses, post and report templates. Invented, not real.

Posts describe events and behaviour only (never people's appearance), the way a moderated feed should.
"""

from __future__ import annotations

FIRST_NAMES = [
    "Avery", "Blake", "Carmen", "Dana", "Eli", "Farah", "Gabriel", "Hana", "Isaac", "Jade", "Kai", "Lena", "Marcus",
    "Nadia", "Owen", "Priya", "Quinn", "Rosa", "Samir", "Tessa", "Uma", "Victor", "Wren", "Xavier", "Yara", "Zane",
    "Amara", "Bruno", "Chloe", "Diego", "Elena", "Felix", "Grace", "Hector", "Ivy", "Jonah", "Keiko", "Luis", "Maya",
    "Noah", "Olive", "Pablo", "Ruth", "Silas", "Tara", "Wes", "Aiyana", "Ben", "Clara", "Dev", "Esme", "Frank",
    "Gloria", "Hugo", "Iris", "June", "Kofi", "Lucy", "Mateo", "Nora", "Omar", "Paige", "Rafael", "Sofia", "Theo",
]
LAST_NAMES = [
    "Abbott", "Baker", "Castillo", "Dalton", "Ellis", "Fischer", "Garcia", "Hoang", "Ibarra", "Jensen", "Kowalski",
    "Lindqvist", "Morales", "Nakamura", "Okafor", "Patel", "Quintero", "Reyes", "Sullivan", "Tanaka", "Underwood",
    "Vasquez", "Whitfield", "Xu", "Yilmaz", "Zimmerman", "Alvarez", "Brennan", "Chen", "Dubois", "Eriksen",
    "Fontaine", "Gallagher", "Haddad", "Iverson", "Johansson", "Kim", "Larsen", "Mendoza", "Nguyen", "O'Brien",
    "Park", "Rossi", "Schmidt", "Thompson", "Villanueva", "Walsh", "Young", "Adeyemi", "Bauer", "Campbell",
]
BUSINESS_WORDS = ["Harbor", "Tidewater", "Lighthouse", "Cannery Row", "Driftwood", "Seawall", "Anchor", "Beacon",
                  "Jetty", "Falls", "Bayfront", "Saltwater", "Gull Rock", "Kelp", "Schooner", "North Pier"]
BUSINESS_KINDS = ["Bakery", "Hardware", "Books", "Pharmacy", "Cafe", "Market", "Auto Repair", "Dental", "Fish Co.",
                  "Outfitters", "Laundromat", "Brewing", "Pet Supply", "Bank", "Motel", "Florist", "Diner", "Gallery"]
CITY_OWNER = "City of Harbor Falls — Public Works"

# Categories of the public feed. Agency reports use the same words, so the two can be compared.
PACKAGE_THEFT = "package theft"
BURGLARY = "burglary"
VEHICLE_BREAK_IN = "vehicle break-in"
VANDALISM = "vandalism"
SUSPICIOUS = "suspicious activity"
LOST_PET = "lost pet"
HIT_AND_RUN = "hit and run"

POST_CATEGORIES: dict[str, float] = {  # category -> share of resident posts
    PACKAGE_THEFT: 0.30, SUSPICIOUS: 0.22, LOST_PET: 0.16, VEHICLE_BREAK_IN: 0.14, VANDALISM: 0.10, BURGLARY: 0.08,
}
REPORT_CATEGORIES: dict[str, float] = {  # category -> share of agency reports
    BURGLARY: 0.28, VEHICLE_BREAK_IN: 0.27, PACKAGE_THEFT: 0.20, VANDALISM: 0.15, HIT_AND_RUN: 0.10,
}

POST_TEMPLATES: dict[str, list[str]] = {
    PACKAGE_THEFT: [
        "A delivery was taken from our porch on {street} this {part_of_day}. Has anyone else had packages go missing?",
        "Package gone from the front step on {street}, about an hour after it was delivered.",
        "Heads up {street}: two parcels taken from porches on our block this week.",
    ],
    SUSPICIOUS: [
        "Someone was trying car door handles along {street} around {hour}. Lock your cars, neighbors.",
        "A car idled outside houses on {street} for a long time this {part_of_day}, then drove off. Probably nothing.",
        "Our gate on {street} was found open this morning; nothing missing that we can tell.",
    ],
    LOST_PET: [
        "Lost cat near {street}: grey tabby, answers to Miso. Please check garages and sheds.",
        "Our dog slipped out of the yard on {street} this {part_of_day}. Friendly, wearing a blue collar.",
        "Found: small brown dog wandering on {street}. Holding him until the owner turns up.",
    ],
    VEHICLE_BREAK_IN: [
        "Car window smashed overnight on {street}; nothing valuable was inside.",
        "Someone went through our unlocked car on {street} last night. Glovebox emptied onto the seat.",
    ],
    VANDALISM: [
        "Spray paint on the fence along {street} again.",
        "Mailboxes knocked over on {street} overnight.",
        "Tires slashed on two cars parked on {street}.",
    ],
    BURGLARY: [
        "Our shed on {street} was broken into; tools taken. Police report filed.",
        "Garage on {street} was entered while we were away this {part_of_day}.",
    ],
}

REPORT_TEMPLATE = ("Harbor Falls Police are investigating a reported {category} in the {block} block of {street} "
                   "({case}). Anyone with information may call the non-emergency line, 541-555-0100.")

PROGRAM_TERMS = (
    "Harbor Falls Police Department joins the neighborhood camera program. The department promotes the "
    "companion app to residents; for every 20 app downloads credited to the department it earns one camera "
    "to distribute. Footage requests go through the app; residents decide whether to share."
)

DISTRIBUTION_TERMS = {
    # The first batch went out with a clause critics flagged; it was withdrawn after review.
    1: "Free camera from the Harbor Falls Police camera program. Recipients agree to register the camera and to "
       "provide footage to the police when requested.",
    2: "Free camera from the Harbor Falls Police camera program. Registering is optional. Sharing footage is "
       "always voluntary: you may decline any request, and declining has no consequence.",
}

OPERATIONS = [
    {
        "name": "Operation Porch Watch",
        "kind": "package-theft sting",
        "description": "Decoy packages with GPS trackers left on volunteer porches in Bayview and Southport during "
                       "the holiday delivery season; participating camera owners asked to share footage of the "
                       "decoy porches.",
        "outcome": "14 decoy packages placed over 5 weeks; 2 taken; 1 arrest; charges filed in 1 case. "
                   "Package-theft posts in the two neighbourhoods fell during the weeks, then returned to "
                   "their usual level.",
        "arrests": 1,
        "goal": "Arrest package thieves in Bayview and Southport during the holiday delivery season.",
        "success_measure": "At least 3 arrests for package theft, and fewer package-theft posts in the two "
                           "neighbourhoods than in the same weeks the year before.",
        "result": "null",
        "recoveries": 1,
    },
    {
        "name": "Camera registration drive",
        "kind": "outreach",
        "description": "Tables at the farmers' market and the library asking residents to register existing "
                       "cameras.",
        "outcome": "212 cameras registered in six weekends.",
        "arrests": 0,
        "goal": "Register cameras residents already own.",
        "success_measure": "200 cameras registered in six weekends.",
        "result": "success",
        "recoveries": 0,
    },
]

PARTS_OF_DAY = ["morning", "afternoon", "evening"]

# What a camera sees, never whose house it is on: a label beside "Neighbor #n" must not carry the owner's address.
_HOME_VIEWS = {
    "doorbell": ("front door and porch", "front step and walk", "porch and front yard"),
    "floodlight": ("driveway", "driveway and garage door", "side of the house and driveway"),
    "spotlight": ("side yard", "back yard and gate", "side path"),
    "indoor": ("front room, facing the window", "entry hall", "front room"),
}
_BUSINESS_VIEWS = ("shop entrance", "sidewalk in front of the shop", "counter and till", "rear door and alley",
                   "parking lot", "loading bay")
_OTHER_VIEWS = {"business_cctv": _BUSINESS_VIEWS, "city_cctv": ("intersection", "street corner", "crosswalk")}


def camera_label(kind: str, k: int = 0, *, business: bool = False) -> str:
    """The demo's label for the k-th camera of a site: what it looks at (no address, no owner's name)."""
    views = _BUSINESS_VIEWS if business else _HOME_VIEWS.get(kind) or _OTHER_VIEWS.get(kind, ("street view",))
    return views[k % len(views)]

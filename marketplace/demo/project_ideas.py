"""What each demo team built: four projects a team, each answering a challenge it fits.

The engagement stories pick a team's published projects by position (`Demo.project`), so the
first two of each team are the published ones, in the order the stories expect: Ava's team's
CheckIn Buddy is left for the live climb, Dock Sentinel is the one Keystone mentors, and so on.
"""

from __future__ import annotations

from typing import NamedTuple

from ..models import ProjectStatus
from .engagement_stories import BUSINESS, ENGR, HEALTH, MEDIA, OWLS, STEM, TRAIL

PUBLISHED, SUBMITTED, DRAFT = ProjectStatus.PUBLISHED, ProjectStatus.SUBMITTED, ProjectStatus.DRAFT
CHANGES, ARCHIVED = ProjectStatus.CHANGES_REQUESTED, ProjectStatus.ARCHIVED

CHECK_IN, DOCK, ROUTES = (
    "Paper-free patient check-in",
    "A safer loading dock",
    "Route planning for small deliveries",
)
MARKET, BAKERY, SUPPLIES = (
    "A brand for the farmers' market",
    "Robot arm for a bakery line",
    "Supplies where the nurses need them",
)
PAYCHECK, BUS_STOPS, BUDGET = (
    "Money skills for a first paycheck",
    "Bus stops riders can read",
    "Teach kids to budget",
)
FAIR, FESTIVAL, RECYCLING = (
    "A poster for the town fair",
    "A new look for the summer festival",
    "Sort the school's recycling",
)


# "The ask" of every project answering a challenge: what its team would like from a partner.
ASKS = {
    CHECK_IN: "A clinic manager to mentor us, and one morning at a front desk to test the kiosk.",
    DOCK: "Feedback from a warehouse safety lead, and a visit to a real dock before we build v2.",
    ROUTES: "A dispatcher's real delivery list to test on, and a mentor who plans routes daily.",
    MARKET: "Ten minutes with the market's vendors, and a designer's feedback on our logo.",
    BAKERY: "A look at a real bakery line, and an engineer to check our gripper design.",
    SUPPLIES: "A nurse to walk us through a supply room, and feedback on our restock alerts.",
    PAYCHECK: "A credit-union mentor to check our numbers, and a class visit to try it out.",
    BUS_STOPS: "Access to the stop data, and a rider-services mentor to review our signs.",
    BUDGET: "Feedback from a financial educator, and a pilot with one elementary class.",
    FAIR: "A printer's advice on sizes and costs, and the fair committee's feedback.",
    FESTIVAL: "A creative director's critique, and the festival's brand rules.",
    RECYCLING: "A facilities contact to install the sorter for a week, and their bin data.",
}


class Idea(NamedTuple):
    """One project: its state, the challenge (by title) it answers, and what the team wrote."""

    status: ProjectStatus
    challenge: str
    title: str
    pitch: str
    summary: str
    tested: str
    skills: list[str]


# (class, team) → its projects, in the order they were started.
TEAM_PROJECTS: dict[tuple[str, str], list[Idea]] = {
    (ENGR, TRAIL): [
        Idea(PUBLISHED, CHECK_IN, "CheckIn Buddy",
             "A tablet check-in an 80-year-old can finish in two minutes.",
             "Large buttons, one question per screen and a read-aloud option replace the "
             "clinic's three paper forms; the front desk gets the answers already typed.",
             "Eight patients aged 64 to 86 tried it in the waiting room; the slowest finished "
             "in 1 minute 50 seconds.",
             ["user research", "figma", "accessibility"]),
        Idea(PUBLISHED, DOCK, "Dock Sentinel",
             "Ultrasonic sensors that flash a light when a forklift nears a walkway.",
             "Two sensors on each dock door watch the crossing. When a forklift and a person are "
             "both within four metres, a beacon flashes on both sides, for under $60 a door.",
             "We ran the rig for a week at the school's delivery bay and logged every alert "
             "against the camera footage.",
             ["arduino", "sensors", "safety"]),
        Idea(SUBMITTED, ROUTES, "Van Route Planner",
             "A spreadsheet add-on that orders delivery stops by drive time.",
             "Drivers paste the morning's addresses; the add-on asks a map service for drive "
             "times and sorts the stops, so each van's route takes a minute, not twenty.",
             "We replanned three of last month's routes: the longest got 38 minutes shorter.",
             ["spreadsheets", "maps", "python"]),
        Idea(CHANGES, SUPPLIES, "Glove Gauge",
             "A shelf scale that lights up when an exam room's glove box is nearly empty.",
             "A load cell under the glove shelf turns a light amber at a quarter full and red "
             "when empty, so the runner sees it from the corridor.",
             "A nurse wore a step counter for two shifts, one with the gauge and one without.",
             ["sensors", "arduino", "user research"]),
    ],
    (ENGR, OWLS): [
        Idea(PUBLISHED, BAKERY, "Roll Picker",
             "A cardboard-and-servo arm that packs six rolls a minute.",
             "A suction cup on a three-joint arm lifts a roll off the cooling rack and sets it "
             "in the bag, six a minute, without squashing it.",
             "We packed 300 rolls from the bakery's own batch: 4 dropped, none squashed.",
             ["robotics", "cad", "arduino"]),
        Idea(PUBLISHED, PAYCHECK, "Paycheck Planner",
             "A phone budget that splits a first paycheck into rent, bus fare, phone and savings.",
             "Type in the paycheck; the planner sets aside the bills first, then shows what is "
             "left for the week, with a savings goal that grows every payday.",
             "Eleven classmates with part-time jobs used it for a month; nine kept using it.",
             ["money", "spreadsheets", "user research"]),
        Idea(SUBMITTED, ROUTES, "Load Order Labels",
             "Shelf labels that tell drivers how to load a van so the first stop's boxes come out "
             "first.",
             "Each parcel gets a coloured stop number when it is sorted; the van's shelves are "
             "marked the same way, so nobody digs through the van at a stop.",
             "We timed a mock route of twelve stops: eleven minutes saved unloading.",
             ["logistics", "spreadsheets", "design"]),
        Idea(DRAFT, DOCK, "Safe Steps",
             "Painted floor paths and a poster campaign for the loading dock.",
             "Yellow walkways, a stop line at each door and four posters that say why.",
             "Not yet: we are waiting to visit the yard.",
             ["safety", "design", "signage"]),
    ],
    (HEALTH, TRAIL): [
        Idea(PUBLISHED, CHECK_IN, "Clipboard Zero",
             "A link in the appointment text opens the intake form at home, so the waiting "
             "room has no clipboards.",
             "Patients answer the clinic's questions on their own phone the day before; the "
             "answers land in the front desk's queue, and the paper form stays for those who "
             "want it.",
             "Twenty volunteers filled it in at home; the front desk saved four minutes a "
             "patient.",
             ["forms", "user research", "accessibility"]),
        Idea(PUBLISHED, SUPPLIES, "Restock Runner",
             "Colour-tagged exam-room shelves and a tablet list, so a runner restocks before a "
             "nurse runs out.",
             "Every shelf has a tag that flips to red when it is half empty. A runner walks the "
             "rooms twice a shift with a tablet list ordered by distance.",
             "Over two weeks the nurses' trips to the supply room fell from twelve a shift to "
             "three.",
             ["user research", "checklists", "spreadsheets"]),
        Idea(SUBMITTED, CHECK_IN, "Intake in Every Language",
             "Check-in cards in Spanish, Vietnamese and Arabic, with a picture for every "
             "question.",
             "The clinic's intake questions, translated with the help of families from three "
             "communities, and drawn so that nobody has to read to answer them.",
             "Fourteen patients who prefer another language tried the cards with an interpreter "
             "watching.",
             ["accessibility", "forms", "translation"]),
        Idea(DRAFT, SUPPLIES, "Supply Room Map",
             "A floor plan and bin labels so a new nurse finds anything in thirty seconds.",
             "Bins grouped by procedure, not by supplier, and a map on the door.",
             "Not yet: we are counting the bins.",
             ["signage", "design", "user research"]),
    ],
    (HEALTH, OWLS): [
        Idea(PUBLISHED, CHECK_IN, "Quiet Queue",
             "Text-message alerts so patients wait outside, not in a crowded room.",
             "After checking in, patients can wait in the car or the café: a text tells them "
             "when they are next and which room to go to.",
             "Two mornings at the walk-in clinic: the waiting room never held more than nine "
             "people, down from twenty-two.",
             ["sms", "python", "user research"]),
        Idea(PUBLISHED, PAYCHECK, "Copay Coach",
             "Five one-minute videos that explain copays, deductibles and a first insurance "
             "card.",
             "What the numbers on an insurance card mean, what a visit will cost, and how to "
             "budget for it, told by students for students with their first job.",
             "We showed the videos to two health classes and quizzed them before and after.",
             ["video", "money", "writing"]),
        Idea(SUBMITTED, SUPPLIES, "Cart Check",
             "A two-minute checklist app for the daily emergency-cart check.",
             "The nurse scans the cart's seal, ticks what is there and photographs what is "
             "missing; the app reminds whoever has not checked by ten.",
             "Three nurses used it for a week alongside the paper list.",
             ["checklists", "python", "user research"]),
        Idea(ARCHIVED, CHECK_IN, "Waiting Room Survey",
             "What sixty patients told us about waiting at the clinic, in charts.",
             "Last term's survey: who waits, how long and what they would change. The other "
             "check-in projects started from it.",
             "Sixty patients over three mornings; the answers are in the slides.",
             ["user research", "surveys", "data"]),
    ],
    (MEDIA, TRAIL): [
        Idea(PUBLISHED, BUS_STOPS, "Next Bus Signs",
             "Large-type stop signs with a map, a route colour and a code for live arrivals.",
             "Each stop shows where its buses go in one colour and one line, the times in large "
             "type, and a code that reads the next arrival aloud on any phone.",
             "We put paper versions at four stops and asked sixty riders to find their bus.",
             ["design", "signage", "accessibility"]),
        Idea(PUBLISHED, MARKET, "Stall Stories",
             "Thirty-second videos of the farmers behind the stalls, cut for phones.",
             "Twelve farmers, twelve short films: the field at dawn, the truck, the stall. "
             "Captioned, vertical and ready to post each Saturday.",
             "We posted three on the market's page; they had ten times the usual views.",
             ["video", "social media", "storytelling"]),
        Idea(SUBMITTED, MARKET, "Saturday Market Brand",
             "A logo, colours and stall banners for the forty-stall farmers' market.",
             "A sun-and-basket logo, four colours and banners every stall can hang, so the "
             "market looks like one place.",
             "We showed three logos to a hundred shoppers; two thirds chose this one.",
             ["design", "branding", "printing"]),
        Idea(DRAFT, BUS_STOPS, "Route Colour Map",
             "A simple system map where each route has one colour and one shape.",
             "Sketches for a map a first-time rider can read at a glance.",
             "Not yet.",
             ["maps", "design", "illustration"]),
    ],
    (MEDIA, OWLS): [
        Idea(PUBLISHED, MARKET, "Market Crate",
             "Stackable produce crates with printed labels, so every stall's goods look like one "
             "market.",
             "A folding crate cut from one sheet of recycled board, printed with the market's "
             "mark and the farm's name; it stacks six high on the truck.",
             "Four farmers used fifty crates for a month; two asked for more.",
             ["packaging", "design", "cad"]),
        Idea(PUBLISHED, BUDGET, "Budget Quest",
             "A board game where 10-year-olds plan a week of pocket money.",
             "Players earn, spend and save over seven days of surprises: a birthday, a broken "
             "bike, a sale. The one who reaches their goal first wins.",
             "Twenty fourth-graders played it at a Saturday workshop.",
             ["games", "money", "design"]),
        Idea(SUBMITTED, BUS_STOPS, "First Ride Guide",
             "A fold-out guide that shows a first-time rider how to pay, board and transfer.",
             "Drawn step by step, with the words in English and Spanish and a pocket map.",
             "Ten riders who had never taken the bus used it to reach the library.",
             ["illustration", "writing", "design"]),
        Idea(DRAFT, MARKET, "Market Month of Posts",
             "A month of posts and a posting calendar for the market's volunteers.",
             "Photos, captions and a calendar, so the page posts every day without one person "
             "doing it all.",
             "Not yet.",
             ["social media", "writing", "photography"]),
    ],
    (STEM, TRAIL): [
        Idea(PUBLISHED, RECYCLING, "Sort Bot",
             "A cardboard conveyor with a magnet and a colour sensor that sorts cans from "
             "bottles.",
             "Items ride a belt past a magnet that pulls off steel cans and a sensor that "
             "pushes clear bottles one way and coloured ones the other.",
             "We sorted one lunch's recycling from the cafeteria: 91 items in 12 minutes.",
             ["robotics", "sensors", "arduino"]),
        Idea(PUBLISHED, BUDGET, "Spend Save Share Jar",
             "A clear jar with three slots and a chart to colour in each week.",
             "Every coin goes into spend, save or share; the chart shows how close the savings "
             "goal is.",
             "Our younger siblings tried it for three weeks.",
             ["design", "money", "making"]),
        Idea(SUBMITTED, DOCK, "Glow Path",
             "Glow-in-the-dark floor arrows that show walkers where to cross the dock.",
             "Arrows and a crossing box that glow when the dock lights are dim at dawn.",
             "We tested five paints in a dark classroom.",
             ["safety", "design", "signage"]),
        Idea(CHANGES, RECYCLING, "Which Bin?",
             "Picture labels and a sorting game for the cafeteria's bins.",
             "Photos of the real things students throw away, stuck on the bin they belong in.",
             "We counted the wrong items in each bin for a week, before and after.",
             ["design", "games", "signage"]),
    ],
    (STEM, OWLS): [
        Idea(PUBLISHED, RECYCLING, "Can Crusher Counter",
             "A foot-pedal can crusher that counts each can and shows the class's total.",
             "Step on the pedal, the can flattens, the counter adds one; the class with the "
             "most cans each month wins.",
             "Two classes crushed 640 cans in a month.",
             ["cad", "sensors", "making"]),
        Idea(PUBLISHED, BUDGET, "Spend or Save",
             "A card game where every round asks: spend it now, or save for something bigger?",
             "Forty cards, each a temptation or a surprise bill, and a goal card for every "
             "player.",
             "We played it with a fifth-grade class at lunch.",
             ["games", "money", "math"]),
        Idea(SUBMITTED, DOCK, "Mirror Test",
             "A model dock that tests where mirrors let a forklift driver see walkers.",
             "A scale model with a toy forklift and three mirror positions.",
             "We measured the blind spot for each mirror with a laser pointer.",
             ["safety", "models", "testing"]),
        Idea(DRAFT, RECYCLING, "Paper Press",
             "A hand press that bales the cafeteria's paper into a tenth of the space.",
             "A lever press made from plywood and a car jack.",
             "Not yet.",
             ["cad", "making"]),
    ],
    (BUSINESS, TRAIL): [
        Idea(PUBLISHED, FESTIVAL, "Festival Passport",
             "A stamp card that sends visitors to every stall and the lake stage.",
             "Ten stamps, one per corner of the festival, and a prize draw for a full card, "
             "so the stalls at the far end get visitors too.",
             "We ran a paper version at the spring market: 140 cards came back full.",
             ["marketing", "events", "design"]),
        Idea(PUBLISHED, FESTIVAL, "Summer Fest Look",
             "A logo, a colour palette and a poster set for the summer festival.",
             "A sun-over-the-lake logo, five colours and six posters, with a guide so any "
             "volunteer can make the next one.",
             "We showed three looks to eighty residents at the library.",
             ["branding", "design", "illustration"]),
        Idea(SUBMITTED, BUDGET, "Budget Bingo",
             "Bingo cards that teach needs and wants at the credit union's workshops.",
             "Each square is a purchase; children mark needs in one colour and wants in another.",
             "One workshop of twelve children.",
             ["games", "money", "teaching"]),
        Idea(DRAFT, PAYCHECK, "Side Hustle Ledger",
             "A one-page ledger for teens who babysit or mow lawns, with a jar for taxes.",
             "What came in, what went out, and what to keep aside.",
             "Not yet.",
             ["spreadsheets", "money"]),
    ],
    (BUSINESS, OWLS): [
        Idea(PUBLISHED, PAYCHECK, "First Account Kit",
             "A welcome pack and a five-minute video that walk a teen through opening a first "
             "account.",
             "What to bring, what the branch will ask, and what a debit card can and cannot do, "
             "in a pack the credit union can hand out at schools.",
             "Six classmates opened accounts with it; we timed each visit.",
             ["marketing", "video", "money"]),
        Idea(PUBLISHED, FESTIVAL, "Fest Countdown Posts",
             "Six weeks of posts that build up to the festival, with a budget for boosted ones.",
             "A calendar of posts, photos and stories, and how to spend $200 on ads where the "
             "festival's visitors are.",
             "We ran two weeks of posts on the school's page and compared the reach.",
             ["social media", "marketing", "budgeting"]),
        Idea(SUBMITTED, BUDGET, "Lemonade Ledger",
             "A lemonade-stand game where kids price cups, buy lemons and count their profit.",
             "Each round brings weather and customers; the players keep the books on a card.",
             "Two rounds with a fourth-grade class.",
             ["games", "money", "spreadsheets"]),
        Idea(ARCHIVED, FAIR, "Fair Day Poster",
             "Last year's poster for the town fair, with the three versions we tested.",
             "The poster that went up in forty shop windows, and what we learned from it.",
             "We asked shoppers which version they remembered a day later.",
             ["design", "printing"]),
    ],
}  # fmt: skip

"""The user guide (Hướng dẫn sử dụng): one guide per role, each a list of sections.

Every section documents one page of the app and names it by its URL name (`url_name`, plus
`also` for the other pages it covers); `tests/guide/test_content.py` resolves every name, so a
renamed or removed page fails the tests instead of leaving the guide describing a screen that no
longer exists. A section's `shot` names the screenshot a browser journey takes at the step it
describes (`<journey role>/<step>`, see tests/browser/journey.py); the journey fails when it no
longer reaches that step, and `static/guide/` holds the images it last produced."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    key: str  # the anchor on the role's page
    title: str
    url_name: str  # the page this section documents
    intro: str
    steps: tuple[str, ...] = ()
    also: tuple[str, ...] = ()  # other pages whose "User guide" link leads here
    shot: str = ""  # "<journey role>/<step>": static/guide/<shot>.webp
    shot_alt: str = ""
    # Who is offered "Open the page", when the page's own rule is not its navigation entry's: the
    # dotted path of a function (user) -> bool (guide.views.role_guide).
    may_open: str = ""

    @property
    def url_names(self) -> tuple[str, ...]:
        return (self.url_name, *self.also)


@dataclass(frozen=True)
class RoleGuide:
    slug: str  # in the URL: /help/<slug>/
    role: str  # units.models.Role value; "" for the part every user reads
    title: str
    summary: str
    sections: tuple[Section, ...]


GENERAL = RoleGuide(
    slug="general",
    role="",
    title=_("Getting started (everyone)"),
    summary=_(
        "Signing in, the second factor, notifications, the lessons library and checking a "
        "protection dossier: what every user of KL14 needs."
    ),
    sections=(
        Section(
            key="sign-in",
            title=_("Signing in"),
            url_name="login",
            also=("sso_login", "password_reset", "home"),
            intro=_(
                "Sign in with the username and password your unit's administrator gave you, or "
                "with your province's single sign-on when it is offered."
            ),
            steps=(
                _("Open KL14 and enter your username and password, then press “Sign in”."),
                _(
                    "If the page offers “Sign in with single sign-on”, you may use the account "
                    "of your province's sign-in service instead; KL14 only lets in people its "
                    "administrators have registered."
                ),
                _(
                    "Forgot your password? Use “Forgot your password?” under the form: a link "
                    "to set a new one is sent to your e-mail address."
                ),
                _(
                    "The home page lists your units and roles and the pages of your work; the "
                    "menu at the top holds the same pages."
                ),
            ),
            shot="cadre/home",
            shot_alt=_("The home page: your units and roles, and the pages of your work."),
        ),
        Section(
            key="two-factor",
            title=_("Two-factor sign-in"),
            url_name="two_factor_manage",
            also=(
                "two_factor_setup",
                "two_factor_verify",
                "two_factor_codes",
                "two_factor_disable",
            ),
            intro=_(
                "Heads, deputies, Party committee and standing committee members, organization "
                "boards and administrators may be required to confirm each sign-in with a code "
                "from an authenticator app on their phone. Anyone may turn it on."
            ),
            steps=(
                _(
                    "Open the menu with your name, then “Two-factor sign-in”, and scan the QR "
                    "code with an authenticator app (Google Authenticator, Microsoft "
                    "Authenticator…)."
                ),
                _("Enter the six-digit code the app shows to confirm."),
                _(
                    "Write down the ten recovery codes shown once and keep them safe: each opens "
                    "KL14 once if you lose your phone."
                ),
                _(
                    "From then on, after your password you enter the current code. Lost your "
                    "phone and your codes? Ask the administrator of the province to reset it."
                ),
            ),
        ),
        Section(
            key="notifications",
            title=_("Notifications and reminders"),
            url_name="notifications:list",
            also=("notifications:preferences",),
            intro=_(
                "KL14 tells you when it is your turn to act (vote, give an opinion, decide, "
                "report…) and what happened to the proposals you follow, and reminds you before, "
                "on and after every deadline, counted in working days."
            ),
            steps=(
                _(
                    "The number beside “Notifications” in the menu counts the unread ones; open "
                    "one to go to the page where you act."
                ),
                _(
                    "Choose how you receive them by e-mail: each as it comes, or all of a day's "
                    "in one evening digest."
                ),
            ),
        ),
        Section(
            key="lessons",
            title=_("The lessons library"),
            url_name="reviews:lessons",
            also=("reviews:lesson",),
            intro=_(
                "Evaluated proposals whose lesson was published: the problem, the solution, the "
                "results and what was learned, readable by every signed-in user."
            ),
            steps=(
                _(
                    "Search by a word of the title or the lesson; the search ignores Vietnamese "
                    "diacritics (“dat dai” finds “đất đai”)."
                ),
            ),
            shot="cadre/lessons",
            shot_alt=_("The lessons library."),
        ),
        Section(
            key="verify",
            title=_("Checking a protection dossier"),
            url_name="reviews:verify",
            intro=_(
                "A protection dossier (hồ sơ bảo vệ) is a PDF that proves what was approved and "
                "done. Anyone signed in can check that a dossier is genuine and still matches "
                "the ledger."
            ),
            steps=(
                _(
                    "Open “Verify a dossier”, enter the verification code printed at the bottom of "
                    "every page of the dossier, or choose the PDF file itself."
                ),
                _(
                    "KL14 says whether the dossier was issued, for which proposal, and whether the "
                    "ledger still matches it."
                ),
            ),
        ),
    ),
)

CADRE = RoleGuide(
    slug="cadre",
    role="cadre",
    title=_("Cadre"),
    summary=_(
        "Write an innovation proposal, submit it to the head of your unit, carry out the "
        "approved work, report on it and keep the protection dossier that proves you acted by "
        "the book."
    ),
    sections=(
        Section(
            key="my-proposals",
            title=_("My proposals"),
            url_name="proposals:mine",
            intro=_(
                "The proposals you wrote or co-wrote, with their state and what is due. A draft "
                "is seen only by its authors until it is submitted."
            ),
            steps=(
                _("Open “My proposals” in the menu."),
                _("Press “Write a new proposal” to start one."),
            ),
            shot="cadre/my-proposals",
            shot_alt=_("“My proposals”, with the button to write a new proposal."),
        ),
        Section(
            key="write",
            title=_("Writing and submitting a proposal"),
            url_name="proposals:create",
            may_open="proposals.permissions.may_write",
            also=("proposals:edit", "proposals:attachment-add"),
            intro=_(
                "The dossier follows Decree 73/2023/NĐ-CP, Art. 7(2): every section of the plan "
                "must be filled in, the four criteria of Art. 5(1) affirmed and the declaration "
                "of no personal interest signed before it can be submitted."
            ),
            steps=(
                _(
                    "Give the title, a summary and the field, and say whether the matter is not "
                    "yet regulated or regulated in a way that no longer fits practice."
                ),
                _(
                    "Describe the bottleneck (điểm nghẽn, nút thắt) to remove, then the "
                    "necessity and purpose, the content and solutions, scope, implementers, "
                    "timeline, resources, feasibility, positive and negative impact and the "
                    "expected results."
                ),
                _(
                    "Tick the four criteria and the declaration that you have no personal "
                    "interest in the proposal; add co-authors and attachments if needed."
                ),
                _(
                    "“Save draft” keeps it for later; “Save and submit” sends it to the head of "
                    "your unit (the head of the superior unit when the head of your unit is an "
                    "author). The submitted version is frozen and numbered."
                ),
            ),
            shot="cadre/new-proposal",
            shot_alt=_("The form of a new proposal: the sections of the plan and the criteria."),
        ),
        Section(
            key="follow",
            title=_("Following your proposal"),
            url_name="proposals:detail",
            also=("proposals:diff", "proposals:verify", "proposals:transition", "proposals:delete"),
            intro=_(
                "The proposal's page shows its state, the dossier, every version and a timeline "
                "of every step, each recorded in the tamper-evident ledger."
            ),
            steps=(
                _(
                    "The decision is due within 7 working days of submission; the head may open "
                    "the review, return it for revision, escalate it to the superior unit, "
                    "approve or reject it."
                ),
                _(
                    "Returned for revision: read the head's comment, correct the dossier and "
                    "submit it again; the changes between versions are shown."
                ),
                _(
                    "You may withdraw a proposal until it is decided; a draft that was never "
                    "submitted can be deleted."
                ),
                _("While the collective votes you see only that voting is under way."),
            ),
            shot="cadre/submitted",
            shot_alt=_("A submitted proposal: its state, the dossier and the timeline."),
        ),
        Section(
            key="pilot",
            title=_("Carrying out the approved work"),
            url_name="pilots:detail",
            also=("pilots:mine", "pilots:adjustment"),
            intro=_(
                "Once approved, the head of your unit prepares the implementation plan "
                "(milestones, KPIs, resources, monitors, risk declaration) and starts the work. "
                "You follow it under “My pilots” in the menu."
            ),
            steps=(
                _(
                    "Open the pilot from the proposal's page (“Implementation plan, progress and "
                    "inspections”) or from “My pilots”."
                ),
                _(
                    "The plan, its milestones and KPIs, the monitors' inspections and the "
                    "reporting periods with their due dates are shown."
                ),
                _(
                    "If the plan must change, use “Request an adjustment” with your reasons; "
                    "the head decides it."
                ),
            ),
            shot="cadre/pilot",
            shot_alt=_("The pilot's page: plan, milestones, KPIs and reports."),
        ),
        Section(
            key="report",
            title=_("Progress reports"),
            url_name="pilots:report",
            intro=_(
                "Report on the plan's cadence (monthly by default): what was done in the period "
                "and the value of each KPI."
            ),
            steps=(
                _(
                    "Press “File a progress report”, describe the results of the period and "
                    "enter the KPI values, then “File the report”."
                ),
                _(
                    "If something is missing the report is not filed and the form says what to "
                    "correct."
                ),
            ),
            shot="cadre/report-filed",
            shot_alt=_("A progress report filed, with the KPI values."),
        ),
        Section(
            key="final-report",
            title=_("Completing the work and the final report"),
            url_name="pilots:transition",
            intro=_(
                "When the work is done, declare it completed; within 5 working days submit a "
                "truthful final report with the final value of every KPI."
            ),
            steps=(
                _(
                    "Press “Declare the work completed”: KL14 first lists what is still open "
                    "(reports not filed, milestones not done); tick the box to confirm."
                ),
                _(
                    "Then “Submit the final report”: the report and the final KPI values. The "
                    "head of the deciding unit then evaluates the results with the leadership "
                    "collective, after the Party committee's opinion."
                ),
            ),
            shot="cadre/final-report",
            shot_alt=_("The final report form with the final KPI values."),
        ),
        Section(
            key="outcome",
            title=_("The outcome and your protection dossier"),
            url_name="reviews:review",
            also=("reviews:dossier",),
            intro=_(
                "The evaluation, any responsibility decision, recognition and the published "
                "lesson are on the “Evaluation, responsibility, recognition and lesson” page."
            ),
            steps=(
                _(
                    "Results achieved: no responsibility review, and the work may be recognised "
                    "and replicated."
                ),
                _(
                    "Results not or only partly achieved: if you followed the approved plan, with "
                    "a pure motive, for the common interest and without personal gain, your "
                    "liability may be excluded, exempted or reduced — if you qualify."
                ),
                _(
                    "“Prepare the protection dossier (PDF)”: the proposal, every version, "
                    "decision, vote and opinion, the reports and the ledger, under a "
                    "verification code. It is prepared in the background: its page shows the "
                    "progress, then the file to download. Keep it."
                ),
            ),
            shot="cadre/review",
            shot_alt=_("The evaluation page with the protection dossier to download."),
        ),
        Section(
            key="complaint",
            title=_("Explaining, and complaining against the decision on you"),
            url_name="reviews:responsibility-complaint",
            also=("reviews:responsibility-explain",),
            intro=_(
                "Before the head decides on your responsibility you may explain (giải trình); "
                "after the decision you may complain (khiếu nại) against it once, within the "
                "time the law allows (Law on Complaints, Art. 9: 90 days from the decision)."
            ),
            steps=(
                _(
                    "On the “Evaluation, responsibility, recognition and lesson” page, under your "
                    "name, write your explanation and press “Submit the explanation”: the head "
                    "sees it before deciding, and the ledger keeps it."
                ),
                _(
                    "Once the decision on you is issued, the page shows the last day to "
                    "complain. Write your complaint and press “File the complaint”; KL14 refuses "
                    "a second complaint or one filed late, and says why."
                ),
                _(
                    "The head of the deciding unit resolves it within 30 days (45 for a complex "
                    "case): rejected, the decision stands; founded or partly founded, a revised "
                    "decision replaces it and the one complained of stays in the record and in "
                    "your protection dossier. A further complaint goes to the head of the "
                    "superior unit, or to court."
                ),
            ),
        ),
    ),
)

HEAD = RoleGuide(
    slug="head",
    role="head",
    title=_("Head of the unit"),
    summary=_(
        "Receive the proposals of your unit, chair the leadership collective's vote, decide, "
        "prepare and start the implementation plan, follow the pilots, evaluate the results and "
        "decide on responsibility."
    ),
    sections=(
        Section(
            key="inbox",
            title=_("Proposals awaiting your decision"),
            url_name="proposals:inbox",
            intro=_(
                "Proposals submitted to the units you head, the earliest due first. The "
                "decision is due within 7 working days of submission; overdue ones are marked "
                "and escalated to the superior unit."
            ),
            steps=(
                _("Open “Proposals” → “Awaiting my decision” and choose a proposal."),
                _(
                    "Read the dossier. “Open the review” starts the leadership collective's "
                    "consideration; “Return for revision” (with a comment) sends it back to the "
                    "authors; “Escalate to the superior unit” (with the reason) passes the "
                    "decision up."
                ),
            ),
            shot="head/queue-ho-so-cho-xu-ly",
            shot_alt=_("“Awaiting my decision”: proposals with their due dates."),
        ),
        Section(
            key="decide",
            title=_("The collective's vote and the decision"),
            url_name="proposals:detail",
            also=("proposals:transition", "proposals:votes", "proposals:vote"),
            intro=_(
                "Decree 73, Art. 8: the head and deputies who are not authors vote; more than "
                "half in favour passes it, and on a tie the head's vote decides. The Party "
                "committee's opinion is required before approval."
            ),
            steps=(
                _("Cast your vote in the “Vote” section; you may change it until the decision."),
                _(
                    "“Approve” stays disabled, with the reason, until the Party committee has "
                    "given its opinion; then choose the form: pilot or implementation."
                ),
                _(
                    "If the vote failed you may still approve in writing on your own "
                    "responsibility (the ledger records it), or reject with the reasons."
                ),
            ),
            shot="head/under-review",
            shot_alt=_("A proposal under review: votes, the Party committee's opinion, actions."),
        ),
        Section(
            key="plan",
            title=_("The implementation plan and starting the work"),
            url_name="pilots:plan",
            also=("pilots:cosign", "pilots:unit"),
            intro=_(
                "Before the work starts, the head of the home unit prepares the plan: start and "
                "end dates, milestones, KPIs with baseline and target, budget, people and "
                "equipment, the monitors, and a risk declaration that the approving head "
                "co-signs."
            ),
            steps=(
                _(
                    "On the pilot's page press “Prepare the plan”, fill in every part and "
                    "“Save the plan”; each saved version is numbered."
                ),
                _(
                    "The approving head reads the risk declaration and co-signs it (“Co-sign the "
                    "risk declaration”)."
                ),
                _(
                    "“Start the implementation” is enabled once the plan is complete and "
                    "co-signed; confirm it."
                ),
            ),
            shot="head/plan-form",
            shot_alt=_("The implementation plan form."),
        ),
        Section(
            key="follow-pilot",
            title=_("Following the pilot: adjustments, suspension, termination"),
            url_name="pilots:detail",
            also=("pilots:adjustment-approve", "pilots:adjustment-reject", "pilots:transition"),
            intro=_(
                "“Pilots of my unit” in the menu lists plans to prepare, work under way and "
                "reports due. On a pilot's page you see the reports, the KPI chart and the "
                "inspections."
            ),
            steps=(
                _(
                    "Decide the adjustments the authors request: “Approve the adjustment” or "
                    "“Reject the adjustment”, with an optional comment; an approved adjustment "
                    "makes a new version of the plan."
                ),
                _(
                    "Suspend, resume or terminate early (with the reason) when the situation "
                    "requires it (KL14, 2.4)."
                ),
            ),
            shot="head/adjustment-approved",
            shot_alt=_("The pilot's page after an adjustment was approved."),
        ),
        Section(
            key="evaluate",
            title=_("Evaluating the results"),
            url_name="proposals:transition",
            intro=_(
                "Within 7 working days of the final report, the collective evaluates the "
                "results, after the Party committee's opinion on them."
            ),
            steps=(
                _(
                    "At the evaluation meeting the head and the deputies who are not authors vote "
                    "on the outcome in “Vote of the leadership collective on the outcome” (Decree "
                    "73, Art. 18): more than half passes it; on a tie the head's ballot decides."
                ),
                _(
                    "“Evaluate the results”: the outcome (achieved, partly, not achieved, "
                    "damage), the objective and subjective causes, the meeting date and the "
                    "minutes. An outcome the collective did not carry, or a Party committee that "
                    "disagreed, needs your written reasons."
                ),
                _(
                    "Achieved: the proposal succeeds. Otherwise it goes to the responsibility "
                    "review."
                ),
            ),
            shot="head/evaluation-waits",
            shot_alt=_("The evaluation waits for the Party committee's opinion on the results."),
        ),
        Section(
            key="responsibility",
            title=_("Responsibility, recognition and the lesson"),
            url_name="reviews:review",
            also=("reviews:lesson-publish",),
            intro=_(
                "Decree 73, Art. 11: when the authors followed the approved plan, with a pure "
                "motive, for the common interest and without personal gain, their liability is "
                "excluded; with damage it may be excluded, exempted or reduced."
            ),
            steps=(
                _(
                    "“Decide on responsibility”: answer the four criteria and say whether there "
                    "was damage; KL14 offers only the decisions the law allows."
                ),
                _(
                    "Recognition of the authors of a successful proposal and the replication of "
                    "the model are proposed by the organization board; as head of the unit above "
                    "the board's, you decide them under “Recognition and replication requests”."
                ),
                _(
                    "Publish the lesson to the lessons library so that other units can learn "
                    "from it."
                ),
            ),
            shot="head/lesson-published",
            shot_alt=_("The evaluation page with the lesson published."),
        ),
        Section(
            key="complaints",
            title=_("Resolving a complaint against a decision on responsibility"),
            url_name="reviews:responsibility-resolve",
            also=("reviews:responsibility-extend",),
            intro=_(
                "An author may complain once against the decision on their responsibility. You "
                "resolve it as the first resolution (Law on Complaints, Art. 18, 31) within 30 "
                "days of its filing; KL14 reminds you before the last day."
            ),
            steps=(
                _(
                    "Under the author's name, choose the “Resolution” and give its reasons, "
                    "then press “Record the resolution”."
                ),
                _(
                    "“Complaint rejected: the decision stands” keeps the decision. For a founded "
                    "or partly founded complaint, fill in “The revised decision (a founded or "
                    "partly founded complaint)”: the four criteria, any damage and the decision; "
                    "it replaces the decision complained of, which stays in the record, and "
                    "issues its own document."
                ),
                _(
                    "A complex case: before the 30 days run out, “Extend the time to resolve” "
                    "with the reasons gives you 45 days from the filing, once."
                ),
            ),
        ),
    ),
)

DEPUTY = RoleGuide(
    slug="deputy",
    role="deputy",
    title=_("Deputy head"),
    summary=_(
        "Vote in your unit's leadership collective on the proposals under review, and write "
        "proposals of your own like any cadre."
    ),
    sections=(
        Section(
            key="votes",
            title=_("Proposals awaiting your vote"),
            url_name="proposals:votes",
            intro=_(
                "Proposals under review by the leadership collective of your unit, and pilots "
                "whose results it evaluates: the list says which vote each one is. A deputy who "
                "is an author of a proposal does not vote on it."
            ),
            steps=(_("Open “Proposals” → “Awaiting my vote” and choose a proposal."),),
            shot="deputy/queue-cho-bieu-quyet",
            shot_alt=_("“Awaiting my vote”: the proposals under review."),
        ),
        Section(
            key="vote",
            title=_("Reading the dossier and voting"),
            url_name="proposals:detail",
            also=("proposals:vote", "proposals:diff"),
            intro=_(
                "Read the dossier: the bottleneck, the plan, the criteria and the attachments. "
                "Then vote in the “Vote” section: for, against or abstain."
            ),
            steps=(
                _("Choose your vote and press “Cast my vote”; KL14 confirms it where you voted."),
                _(
                    "You may change your vote (“Change my vote”) until the head decides. More "
                    "than half of the eligible voters in favour passes the proposal; on a tie "
                    "the head's vote decides (Decree 73, Art. 8)."
                ),
                _(
                    "Outside the collective nobody sees who voted how while the vote is open; "
                    "after the decision the tally is shown, never the names."
                ),
            ),
            shot="deputy/to-vote",
            shot_alt=_("A proposal under review, with the vote section."),
        ),
        Section(
            key="evaluation-vote",
            title=_("Voting on the results at the evaluation meeting"),
            url_name="reviews:review",
            also=("reviews:evaluation-ballot",),
            intro=_(
                "When the final report of a pilot of your unit is filed, KL14 tells you it is "
                "your turn and lists it under “Awaiting my vote”: the leadership collective "
                "votes on the outcome (Decree 73, Art. 18)."
            ),
            steps=(
                _(
                    "On the page “Evaluation, responsibility, recognition and lesson”, choose the "
                    "outcome (or abstain) and press “Cast my ballot”; you may change it until the "
                    "head records the evaluation."
                ),
                _(
                    "The ballots stay secret outside the collective until the evaluation is "
                    "recorded; then the tally is shown, never the names."
                ),
            ),
        ),
        Section(
            key="own-proposals",
            title=_("Your own proposals and pilots"),
            url_name="proposals:mine",
            also=("pilots:mine",),
            intro=_(
                "A deputy may write proposals too: follow the cadre's guide. The head of your "
                "unit decides them; you do not vote on your own proposal."
            ),
        ),
    ),
)

PARTY_COMMITTEE = RoleGuide(
    slug="party-committee",
    role="party_committee",
    title=_("Party committee"),
    summary=_(
        "Give the same-level Party committee's opinion before the head approves a proposal and "
        "again before the results are evaluated (Decree 73, Art. 4)."
    ),
    sections=(
        Section(
            key="opinions",
            title=_("Proposals awaiting the Party committee's opinion"),
            url_name="proposals:opinions",
            intro=_(
                "The proposals on which the unit seeks the Party committee's opinion: under "
                "review before the decision, and after the final report before the evaluation."
            ),
            steps=(
                _(
                    "Open “Proposals” → “Awaiting the Party committee's opinion” and choose a "
                    "proposal."
                ),
            ),
            shot="party-committee/queue-cho-cho-y-kien",
            shot_alt=_("The proposals awaiting the Party committee's opinion."),
        ),
        Section(
            key="opinion",
            title=_("Recording the opinion"),
            url_name="proposals:detail",
            also=("proposals:opinion",),
            intro=_(
                "The opinion is recorded on the proposal's page, in the section “Party "
                "committee opinion”, and goes into the ledger and the protection dossier."
            ),
            steps=(
                _("Choose the stance: agree, agree with conditions, or disagree."),
                _(
                    "Write the text of the opinion as the Party committee agreed it, with any "
                    "conditions, and press “Record the opinion”."
                ),
                _(
                    "The head cannot approve before the opinion is recorded, nor evaluate the "
                    "results before the opinion on them."
                ),
            ),
            shot="party-committee/opinion-given",
            shot_alt=_("The Party committee's opinion recorded on the proposal's page."),
        ),
    ),
)

STANDING_COMMITTEE = RoleGuide(
    slug="standing-committee",
    role="standing_committee",
    title=_("Standing committee of the Party committee"),
    summary=_(
        "Follow the proposals of your subtree from submission to results, with their "
        "recognition and replication, and the lessons they leave."
    ),
    sections=(
        Section(
            key="follow",
            title=_("Following the proposals of your subtree"),
            url_name="proposals:detail",
            also=("proposals:diff",),
            intro=_(
                "The standing committee sees every proposal of the units under it: the "
                "dossier, every version, the decisions, the Party committee's opinions and the "
                "timeline, each step recorded in the ledger."
            ),
            steps=(
                _(
                    "Open a proposal from a notification or from a link; a proposal outside "
                    "your subtree is not found."
                ),
                _(
                    "Under Conclusion 14-KL/TW, 2.5, the standing committee decides the "
                    "recognition and replication the organization board proposes; the "
                    "decisions taken are shown on the proposal's pages."
                ),
            ),
            shot="standing-committee/proposal",
            shot_alt=_("A proposal's page as the standing committee sees it."),
        ),
        Section(
            key="results",
            title=_("Results, recognition and replication"),
            url_name="reviews:review",
            also=("reviews:dossier",),
            intro=_(
                "The page “Evaluation, responsibility, recognition and lesson” shows the "
                "evaluation, any responsibility decision, the recognition recorded and where "
                "the model was replicated."
            ),
            shot="standing-committee/review",
            shot_alt=_("The evaluation, recognition and replication of a proposal."),
        ),
        Section(
            key="decide",
            title=_("Deciding what the organization board proposes"),
            url_name="reviews:board-request",
            also=("reviews:board-requests",),
            intro=_(
                "The organization board proposes the recognition of the authors and the "
                "replication of a successful model; the standing committee, or the head of the "
                "unit above the board's, decides. Only the approval grants the recognition or "
                "issues the replication directive, with its official document."
            ),
            steps=(
                _(
                    "Open “Recognition and replication requests” in the menu and choose a request "
                    "awaiting your decision."
                ),
                _(
                    "Choose “Approve” or “Refuse” (a refusal needs reasons), then “Record the "
                    "decision”; the organization board is told."
                ),
            ),
            shot="standing-committee/request-decided",
            shot_alt=_("A replication request approved by the standing committee."),
        ),
    ),
)

INSPECTOR = RoleGuide(
    slug="inspector",
    role="inspector",
    title=_("Inspection and supervision"),
    summary=_(
        "Monitor the pilots of your subtree, record inspections and their findings, and refer "
        "abuse of the policy (Decree 73, Art. 6)."
    ),
    sections=(
        Section(
            key="monitored",
            title=_("The pilots you monitor"),
            url_name="pilots:monitored",
            intro=_(
                "The pilots whose implementation plan names you as a monitor, with their state "
                "and next deadline."
            ),
            steps=(_("Open “Pilots I monitor” in the menu and choose a pilot by its code."),),
            shot="inspector/monitored",
            shot_alt=_("“Pilots I monitor”."),
        ),
        Section(
            key="inspect",
            title=_("Recording an inspection"),
            url_name="pilots:detail",
            also=("pilots:inspection",),
            intro=_(
                "On the pilot's page you see the plan, the progress reports and the KPI chart. "
                "Record what you found during an inspection."
            ),
            steps=(
                _(
                    "Press “Record an inspection”, write the findings and recommendations, and "
                    "tick “Concerns” when something needs attention."
                ),
                _(
                    "The inspection appears on the pilot's page and in the proposal's timeline; "
                    "the head of the unit and the authors are told."
                ),
            ),
            shot="inspector/inspected",
            shot_alt=_("An inspection recorded on the pilot's page."),
        ),
        Section(
            key="refer",
            title=_("Referring abuse of the policy"),
            url_name="proposals:transition",
            also=("reviews:review",),
            intro=_(
                "When the policy is used to commit or cover up corruption or self-interest, the "
                "inspector of the unit or of a superior unit refers the proposal, with the "
                "evidence."
            ),
            steps=(
                _(
                    "On the proposal's page choose “Refer for abuse” and give the evidence; the "
                    "step is recorded in the ledger."
                ),
                _(
                    "From then on the protection of the policy does not apply, and the "
                    "protection dossier says so."
                ),
            ),
            shot="inspector/timeline",
            shot_alt=_("The proposal's timeline with the inspection."),
        ),
    ),
)

ORGANIZATION_BOARD = RoleGuide(
    slug="organization-board",
    role="organization_board",
    title=_("Organization board"),
    summary=_(
        "Oversee the subtree: the dashboard and the periodic reviews (sơ kết, tổng kết); "
        "propose the recognition of the cadres and the replication of effective models to the "
        "competent authority; propose their institutionalisation."
    ),
    sections=(
        Section(
            key="dashboard",
            title=_("The dashboard and the periodic reports"),
            url_name="reviews:dashboard",
            also=("reviews:report-xlsx", "reviews:report-pdf", "notifications:review-report"),
            intro=_(
                "Figures and charts of your subtree: proposals by state, by field and by unit, "
                "deadlines overdue. Choose the unit and the period."
            ),
            steps=(
                _(
                    "Ask for the report of the period shown on screen as a spreadsheet "
                    "(.xlsx) or a PDF, for the quarterly and yearly reviews (sơ kết, tổng kết). "
                    "It is prepared in the background: its page shows the progress, then the "
                    "file to download."
                ),
                _(
                    "Each quarter and each year KL14 reminds the board of the review, with the "
                    "summary report of the subtree attached."
                ),
            ),
            shot="organization-board/dashboard",
            shot_alt=_("The dashboard of the subtree."),
        ),
        Section(
            key="recognition",
            title=_("Proposing the recognition of the authors"),
            url_name="reviews:recognition-request",
            also=(
                "reviews:recognitions",
                "reviews:review",
                "reviews:board-requests",
                "reviews:board-request",
            ),
            intro=_(
                "Decree 73, Art. 10: the authors of a successful proposal may be praised, "
                "rewarded, rated excellent, given priority for appointment or planning, or a "
                "salary raise 12 months early. The organization board proposes; the standing "
                "committee of the Party committee, or the head of the unit above, decides."
            ),
            steps=(
                _(
                    "On the page “Evaluation, responsibility, recognition and lesson”, under "
                    "“Propose recognition”, choose the form of recognition, the authors and the "
                    "grounds, then “Send the request”."
                ),
                _(
                    "“Recognition and replication requests” in the menu follows your requests; "
                    "you are told the decision. “Recognition” lists the cadres of your subtree "
                    "recognised."
                ),
            ),
            shot="organization-board/recognition-proposed",
            shot_alt=_("A recognition proposed to the competent authority."),
        ),
        Section(
            key="replication",
            title=_("Proposing the replication of an effective model"),
            url_name="reviews:replication",
            also=("reviews:replication-request",),
            intro=_(
                "A successful model can be replicated in other units of your subtree. Once the "
                "competent authority approves the request, each target unit receives a linked "
                "proposal, approved for implementation by the replication directive."
            ),
            steps=(
                _(
                    "Press “Propose replication”, tick the target units, give the grounds and "
                    "press “Send the request”."
                ),
            ),
            shot="organization-board/replication-proposed",
            shot_alt=_("A replication proposed to the competent authority."),
        ),
        Section(
            key="institutionalise",
            title=_("Proposing a regulation (institutionalisation)"),
            url_name="proposals:transition",
            intro=_(
                "Conclusion 14-KL/TW, 2.5: effective models are institutionalised into law. "
                "Record the regulation proposed and the level that should issue it."
            ),
            steps=(
                _(
                    "On the proposal's page choose “Propose a regulation (institutionalise)”, "
                    "give the regulation proposed and the issuing level, and confirm."
                ),
            ),
            shot="organization-board/institutionalised",
            shot_alt=_("The proposal after the regulation was proposed."),
        ),
    ),
)

ADMIN = RoleGuide(
    slug="admin",
    role="admin",
    title=_("Unit administrator"),
    summary=_(
        "Put in and keep the units, accounts and memberships of your subtree, from the "
        "organization board's spreadsheets or one by one; root administrators also keep the "
        "working-day calendar and the two-factor policy."
    ),
    sections=(
        Section(
            key="import",
            title=_("Importing units and staff from a spreadsheet"),
            url_name="onboarding:index",
            also=("onboarding:template", "onboarding:template_csv"),
            intro=_(
                "Units (with the code of their superior unit), accounts and memberships from "
                "the lists the organization board keeps (XLSX, XLS, ODS or CSV), limited to "
                "your subtree."
            ),
            steps=(
                _(
                    "Open “More” → “Import from a spreadsheet” and download the template: a "
                    "sheet of units and a sheet of people, one row per person and post."
                ),
                _("Choose your file and press “Dry run”: nothing is written yet."),
            ),
            shot="admin/onboarding",
            shot_alt=_("The import page with the template to download."),
        ),
        Section(
            key="dry-run",
            title=_("The dry run and the import"),
            url_name="onboarding:batch",
            also=("onboarding:apply",),
            intro=_(
                "The dry run shows, row by row in Vietnamese, what will be created, changed, "
                "ended or refused, and why."
            ),
            steps=(
                _(
                    "If a row is refused, nothing at all is imported: correct the file and run "
                    "it again."
                ),
                _(
                    "When every row is valid, press “Confirm and import”. Importing the same "
                    "file again changes nothing."
                ),
                _(
                    "People who move or leave: their membership ends and is kept in the "
                    "history, and their open work is listed for you to hand over; the ledger "
                    "is unchanged."
                ),
            ),
            shot="admin/dry-run",
            shot_alt=_("The dry run, row by row."),
        ),
        Section(
            key="admin-site",
            title=_("Units, accounts and memberships one by one"),
            url_name="admin:index",
            intro=_(
                "“More” → “Administration” opens the administration site, limited to your "
                "subtree: units, accounts, memberships and the history of ended memberships."
            ),
        ),
        Section(
            key="calendar",
            title=_("The working-day calendar"),
            url_name="workdays:calendar",
            intro=_(
                "Deadlines count working days: Monday to Friday, without public holidays and "
                "the days off entered; a make-up working day counts even on a weekend. Root "
                "administrators enter the days off and make-up days announced each year."
            ),
            shot="admin/calendar",
            shot_alt=_("The working-day calendar."),
        ),
        Section(
            key="two-factor-policy",
            title=_("Requiring two-factor sign-in"),
            url_name="two_factor_policy",
            may_open="accounts.two_factor.can_set_policy",
            intro=_(
                "A root administrator chooses the roles that must use two-factor sign-in "
                "among those that decide or administer, and resets the second factor of "
                "someone who lost their phone."
            ),
        ),
    ),
)

GUIDES: tuple[RoleGuide, ...] = (
    GENERAL,
    CADRE,
    HEAD,
    DEPUTY,
    PARTY_COMMITTEE,
    STANDING_COMMITTEE,
    INSPECTOR,
    ORGANIZATION_BOARD,
    ADMIN,
)
BY_SLUG = {guide.slug: guide for guide in GUIDES}
ROLE_GUIDES = tuple(guide for guide in GUIDES if guide.role)

# The role whose guide a page's "User guide" link prefers, when a user holds several.
PREFERENCE = (
    "head",
    "deputy",
    "party_committee",
    "standing_committee",
    "organization_board",
    "inspector",
    "admin",
    "cadre",
)


def sections() -> list[tuple[RoleGuide, Section]]:
    return [(guide, section) for guide in GUIDES for section in guide.sections]


def shots() -> set[str]:
    """Every screenshot the guide shows (`<journey role>/<step>`)."""
    return {section.shot for _guide, section in sections() if section.shot}

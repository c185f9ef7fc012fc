"""The dry run: what importing a file would do, row by row, against the database as it is.

`plan_import(actor, rows)` reads the database in a fixed number of queries per thousand rows (no
query per row), applies the rules of the admin site (a unit admin acts only inside their subtree,
on accounts that serve wholly inside it) and answers, for every row, what it creates, changes,
ends or why it is refused. services.import_apply writes exactly that plan, or nothing.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext as _

from kl14.text import NUL_REFUSED, text_refusal
from units.models import Membership, PastMembership, Role, Unit
from units.permissions import can_manage_unit
from units.selectors import users_administered_by

from .models import Action, ImportRow
from .spreadsheet import normalise, parse_date

CHUNK = 2000  # ids or codes per IN (…) clause: well under every database's parameter limit

# Words boards use for roles, beyond the role's own name in both languages.
ROLE_ALIASES = {
    Role.HEAD: ("thu truong", "giam doc", "chu tich", "truong phong", "bi thu", "truong ban"),
    Role.DEPUTY: ("pho", "cap pho", "pho giam doc", "pho chu tich", "pho truong phong"),
    Role.CADRE: ("cong chuc", "vien chuc", "chuyen vien", "can bo cong chuc"),
    Role.PARTY_COMMITTEE: ("cap uy cung cap", "dang uy", "chi uy"),
    Role.INSPECTOR: ("kiem tra", "giam sat", "uy ban kiem tra", "thanh tra"),
    Role.ORGANIZATION_BOARD: ("to chuc can bo", "phong to chuc", "ban to chuc cap uy"),
    Role.ADMIN: ("quan tri he thong", "quan tri vien"),
    Role.STANDING_COMMITTEE: ("ban thuong vu", "thuong vu", "ban thuong vu dang uy"),
}


def _labels(choices) -> dict[str, str]:
    """Every way a choice may be written → its value: the code, the Vietnamese and English
    labels, without accents or case."""
    names = {}
    for value, label in choices:
        names[normalise(value)] = value
        for language in ("vi", "en"):
            with translation.override(language):
                names[normalise(str(label))] = value
    return names


def role_names() -> dict[str, str]:
    names = _labels(Role.choices)
    for role, aliases in ROLE_ALIASES.items():
        for alias in aliases:
            names.setdefault(alias, role)
    return names


# What offices write for the kinds of unit besides their labels (without accents or case).
KIND_ALIASES = {
    Unit.Kind.PARTY_COMMITTEE: ("cap uy", "dang uy", "tinh uy", "thanh uy", "chi bo"),
    Unit.Kind.PARTY_ADVISORY: (
        "co quan tham muu giup viec cap uy",
        "co quan tham muu giup viec",
        "ban dang",
        "ban cua cap uy",
    ),
    Unit.Kind.PARTY_INSPECTION: ("uy ban kiem tra", "uy ban kiem tra cap uy", "ubkt"),
    Unit.Kind.STATE_AGENCY: ("co quan hanh chinh", "co quan hanh chinh nha nuoc"),
}


def kind_names() -> dict[str, str]:
    names = _labels(Unit.Kind.choices)
    for kind, aliases in KIND_ALIASES.items():
        for alias in aliases:
            names.setdefault(alias, kind)
    return names


def chunks(items, size=CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


PRECEDENCE = [Action.CREATE, Action.END, Action.UPDATE, Action.UNCHANGED]


@dataclass
class RowPlan:
    position: int
    sheet: str
    line: int
    kind: str
    data: dict
    action: str = Action.UNCHANGED
    subject: str = ""
    role: str = ""  # people: the role the row names, once recognised
    dates: dict = field(default_factory=dict)  # people: started_on, ended_on as dates
    changes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ends_post: bool = False

    def refuse(self, message: str) -> None:
        self.errors.append(message)

    def mark(self, action: str) -> None:
        """The row's outcome is the weightiest of what it does: create > end > change."""
        if PRECEDENCE.index(action) < PRECEDENCE.index(self.action):
            self.action = action

    @property
    def messages(self) -> list[str]:
        return self.errors or self.changes

    @property
    def outcome(self) -> str:
        return Action.REFUSED if self.errors else self.action

    def as_row(self, batch) -> ImportRow:
        return ImportRow(
            batch=batch,
            position=self.position,
            sheet=self.sheet[:64],
            line=self.line,
            kind=self.kind,
            data=self.data,
            action=self.outcome,
            subject=self.subject[:255],
            messages=self.messages,
            ends_post=self.ends_post and not self.errors,
        )

    def fingerprint(self):
        return (self.position, self.outcome, tuple(self.messages))


@dataclass
class UnitNode:
    """A unit the file names: already in KL14 (`unit`) or created by a row of the file."""

    code: str
    unit: Unit | None = None
    row: RowPlan | None = None
    name: str = ""
    kind: str = ""
    parent_now: str | None = None  # code of the current parent
    parent_final: str | None = None  # code of the parent once the file is imported
    depth: int = 0  # in the final tree, computed by the chain check

    @property
    def exists(self):
        return self.unit is not None


@dataclass
class PersonPlan:
    key: str
    user: object | None = None  # the matched account
    administrable: bool = True
    create: dict | None = None  # fields of a new account
    update: dict = field(default_factory=dict)  # changed fields of an existing account
    first_row: RowPlan | None = None


@dataclass
class MembershipCreate:
    person: PersonPlan
    unit_code: str
    role: str
    title: str
    started_on: datetime.date | None


@dataclass
class Plan:
    rows: list[RowPlan]
    nodes: dict[str, "UnitNode"] = field(default_factory=dict)  # every unit the file names
    unit_creates: list[UnitNode] = field(default_factory=list)
    unit_updates: list[tuple[UnitNode, dict]] = field(default_factory=list)
    unit_moves: list[UnitNode] = field(default_factory=list)
    people: list[PersonPlan] = field(default_factory=list)
    membership_creates: list[MembershipCreate] = field(default_factory=list)
    membership_updates: list[tuple[Membership, dict]] = field(default_factory=list)
    membership_ends: list[tuple[Membership, datetime.date, str]] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return bool(self.rows) and not any(row.errors for row in self.rows)

    def summary(self) -> dict:
        outcomes = defaultdict(int)
        for row in self.rows:
            outcomes[f"{row.kind}_{row.outcome}"] += 1
        return {
            "rows": len(self.rows),
            "refused": sum(1 for row in self.rows if row.errors),
            "units_created": len(self.unit_creates),
            "units_changed": len(
                {id(n) for n, _f in self.unit_updates} | {id(n) for n in self.unit_moves}
            ),
            "accounts_created": sum(1 for p in self.people if p.create is not None),
            "accounts_changed": sum(1 for p in self.people if p.update),
            "memberships_created": len(self.membership_creates),
            "memberships_changed": len(self.membership_updates),
            "memberships_ended": len(self.membership_ends),
            "outcomes": dict(outcomes),
        }

    def fingerprint(self):
        return [row.fingerprint() for row in self.rows]


USERNAME_CLEAN = re.compile(r"[^\w.@+-]")


def plan_import(actor, unit_rows, person_rows) -> Plan:
    """unit_rows and person_rows: [(sheet, line, {key: text})] in file order."""
    rows = []
    for kind, source in ((ImportRow.Kind.UNIT, unit_rows), (ImportRow.Kind.PERSON, person_rows)):
        for sheet, line, data in source:
            # A NUL refuses its row, as a form refuses it; the row is kept without it, since
            # PostgreSQL stores no NUL in text or JSON.
            row = RowPlan(
                len(rows) + 1,
                sheet,
                line,
                kind,
                {k: v.replace("\x00", "") for k, v in data.items()},
            )
            if any(text_refusal(v) for v in data.values()):
                row.refuse(str(NUL_REFUSED))
            rows.append(row)
    plan = Plan(rows=rows)
    plan.nodes = _plan_units(plan, actor)
    _plan_people(plan, actor, plan.nodes)
    return plan


# Units ---------------------------------------------------------------------------------------


def _plan_units(plan: Plan, actor) -> dict[str, UnitNode]:
    unit_rows = [r for r in plan.rows if r.kind == ImportRow.Kind.UNIT]
    person_rows = [r for r in plan.rows if r.kind == ImportRow.Kind.PERSON]
    codes = {r.data.get("code", "") for r in unit_rows}
    codes |= {r.data.get("parent_code", "") for r in unit_rows}
    codes |= {r.data.get("unit_code", "") for r in person_rows}
    codes.discard("")

    nodes: dict[str, UnitNode] = {}
    for chunk in chunks(codes):
        for unit in Unit.objects.filter(code__in=chunk):
            nodes[unit.code] = UnitNode(code=unit.code, unit=unit, name=unit.name, kind=unit.kind)
    # Current parents and ancestors of the existing units, by path: one query per chunk.
    ancestor_paths = {p for n in nodes.values() for p in n.unit.ancestor_paths(include_self=False)}
    code_of_path = {n.unit.path: n.code for n in nodes.values()}
    for chunk in chunks(ancestor_paths - set(code_of_path)):
        code_of_path.update(Unit.objects.filter(path__in=chunk).values_list("path", "code"))
    for node in nodes.values():
        node.parent_now = code_of_path.get(node.unit.parent_path) if node.unit.depth > 1 else None
        node.parent_final = node.parent_now
    ancestors_now = {
        node.code: [code_of_path[p] for p in node.unit.ancestor_paths(include_self=False)]
        for node in nodes.values()
    }

    kinds = kind_names()
    seen: dict[str, RowPlan] = {}
    for row in unit_rows:
        data = row.data
        code, name = data.get("code", ""), data.get("name", "")
        parent_code = data.get("parent_code", "")
        row.subject = f"{code} — {name}" if code else name
        if not code:
            row.refuse(_("The unit code (Mã đơn vị) is empty."))
        elif len(code) > 32:
            row.refuse(_("The unit code is longer than 32 characters."))
        elif code in seen:
            row.refuse(
                _("The unit code %(code)s is already on row %(line)d.")
                % {"code": code, "line": seen[code].line}
            )
        if not name:
            row.refuse(_("The unit name (Tên đơn vị) is empty."))
        elif len(name) > 255:
            row.refuse(_("The unit name is longer than 255 characters."))
        kind = ""
        if data.get("kind"):
            kind = kinds.get(normalise(data["kind"]), "")
            if not kind:
                row.refuse(_("Unknown kind of unit “%(kind)s”.") % {"kind": data["kind"]})
        if parent_code and parent_code == code:
            row.refuse(_("A unit cannot be its own superior unit."))
        if row.errors:
            if code and code not in seen:
                seen[code] = row
            continue
        seen[code] = row
        node = nodes.get(code)
        if node is None:
            node = nodes[code] = UnitNode(code=code)
            node.name, node.kind = name, kind or Unit.Kind.OTHER
            node.parent_final = parent_code or None
            node.row = row
            row.action = Action.CREATE
            if not parent_code and not actor.is_superuser:
                row.refuse(
                    _("A new unit needs the code of its superior unit (Mã đơn vị cấp trên).")
                )
            continue
        node.row = row
        if not can_manage_unit(actor, node.unit):
            row.refuse(_("The unit %(code)s is outside the units you administer.") % {"code": code})
            continue
        changed = {}
        if name != node.unit.name:
            changed["name"] = name
            row.changes.append(
                _("Name: “%(old)s” → “%(new)s”.") % {"old": node.unit.name, "new": name}
            )
        if kind and kind != node.unit.kind:
            changed["kind"] = kind
            row.changes.append(
                _("Kind: %(old)s → %(new)s.")
                % {"old": node.unit.get_kind_display(), "new": Unit.Kind(kind).label}
            )
        if changed:
            plan.unit_updates.append((node, changed))
        if parent_code and parent_code != node.parent_now:
            node.parent_final = parent_code
            plan.unit_moves.append(node)
            row.changes.append(
                _("Moves under %(new)s (was under %(old)s).")
                % {"new": parent_code, "old": node.parent_now or "—"}
            )
        if row.changes:
            row.action = Action.UPDATE

    _check_unit_chains(plan, actor, nodes, ancestors_now)
    return nodes


def _check_unit_chains(plan, actor, nodes, ancestors_now):
    """Every new or moved unit hangs, through the file, under a unit the admin manages, with no
    cycle; the final depth orders the creations (superior units first)."""

    def parent_of(code):
        node = nodes.get(code)
        return node.parent_final if node else None

    def final_ancestors(code):
        """Codes from the unit's parent upwards once the file is imported."""
        chain, current = [], code
        while True:
            node = nodes.get(current)
            if node is None or (node.exists and node.parent_final == node.parent_now):
                # Unchanged from here up: the tree as it is now.
                if node is not None and node.exists:
                    chain.extend(ancestors_now[current][::-1])
                return chain, None
            parent = node.parent_final
            if parent is None:
                return chain, None
            if parent == code or parent in chain:
                return chain, "cycle"
            if parent not in nodes:
                return chain, parent
            chain.append(parent)
            current = parent

    changing = [n for n in nodes.values() if n.row is not None and not n.row.errors]
    changing = [n for n in changing if not n.exists or n in plan.unit_moves]
    for node in changing:
        chain, problem = final_ancestors(node.code)
        if problem == "cycle":
            node.row.refuse(_("The superior units of %(code)s form a loop.") % {"code": node.code})
            continue
        if problem:
            node.row.refuse(_("There is no unit with the code %(code)s.") % {"code": problem})
            continue
        node.depth = len(chain) + 1
        parent = nodes.get(node.parent_final) if node.parent_final else None
        if parent is not None and parent.row is not None and parent.row.errors:
            node.row.refuse(
                _("Its superior unit %(code)s is refused (row %(line)d).")
                % {"code": parent.code, "line": parent.row.line}
            )
            continue
        # The first unit up the chain that exists now decides whether the admin may put it there.
        anchor = next((nodes[c] for c in chain if c in nodes and nodes[c].exists), None)
        if anchor is None:
            if not actor.is_superuser:
                node.row.refuse(_("Only a superuser may create a new root unit."))
            continue
        if not can_manage_unit(actor, anchor.unit):
            node.row.refuse(
                _("The superior unit %(code)s is outside the units you administer.")
                % {"code": node.parent_final}
            )
    for node in changing:
        if node.row.errors:
            continue
        if not node.exists:
            plan.unit_creates.append(node)
    plan.unit_creates.sort(key=lambda n: (n.depth, n.code))
    plan.unit_moves = [n for n in plan.unit_moves if not n.row.errors]
    plan.unit_moves.sort(key=lambda n: (n.depth, n.code))
    plan.unit_updates = [(n, f) for n, f in plan.unit_updates if not n.row.errors]


# People and memberships ----------------------------------------------------------------------


def _person_key(data) -> str:
    if data.get("staff_code"):
        return "staff:" + data["staff_code"]
    if data.get("username"):
        return "user:" + data["username"]
    return ""


def _derived_username(staff_code: str) -> str:
    return USERNAME_CLEAN.sub("", staff_code.lower())[:150]


def _plan_people(plan: Plan, actor, nodes: dict[str, UnitNode]):
    User = get_user_model()
    rows = [r for r in plan.rows if r.kind == ImportRow.Kind.PERSON]
    roles = role_names()
    role_labels = {value: str(label) for value, label in Role.choices}

    # 1. Cells of each row on their own.
    for row in rows:
        data = row.data
        row.subject = " — ".join(v for v in (data.get("staff_code"), data.get("full_name")) if v)
        if not data.get("full_name"):
            row.refuse(_("The full name (Họ và tên) is empty."))
        elif len(data["full_name"]) > 150:
            row.refuse(_("The full name is longer than 150 characters."))
        if not data.get("staff_code") and not data.get("username"):
            row.refuse(_("Give the staff code (Mã cán bộ) or the username (Tên đăng nhập)."))
        if len(data.get("staff_code", "")) > 32:
            row.refuse(_("The staff code is longer than 32 characters."))
        username = data.get("username", "")
        if username:
            try:
                User.username_validator(username)
                if len(username) > 150:
                    raise ValidationError("too long")
            except ValidationError:
                row.refuse(
                    _("The username “%(name)s” may hold only letters, digits and @ . + - _.")
                    % {"name": username}
                )
        if data.get("email"):
            try:
                validate_email(data["email"])
            except ValidationError:
                row.refuse(_("“%(email)s” is not an e-mail address.") % {"email": data["email"]})
        row.role = roles.get(normalise(data.get("role", "")), "")
        if not row.role:
            row.refuse(_("Unknown role “%(role)s”.") % {"role": data.get("role", "")})
        for key in ("started_on", "ended_on"):
            try:
                row.dates[key] = parse_date(data.get(key, ""))
            except ValueError:
                row.refuse(_("“%(date)s” is not a date (dd/mm/yyyy).") % {"date": data.get(key)})
        dates = row.dates
        if (
            dates.get("started_on")
            and dates.get("ended_on")
            and dates["ended_on"] < dates["started_on"]
        ):
            row.refuse(_("The end date is before the start date."))
        if len(data.get("title", "")) > 150:
            row.refuse(_("The position is longer than 150 characters."))
        unit_code = data.get("unit_code", "")
        node = nodes.get(unit_code)
        if not unit_code:
            row.refuse(_("The unit code (Mã đơn vị) is empty."))
        elif node is None or (not node.exists and (node.row is None or node.row.errors)):
            row.refuse(_("There is no unit with the code %(code)s.") % {"code": unit_code})
        elif node.exists and not can_manage_unit(actor, node.unit):
            row.refuse(
                _("The unit %(code)s is outside the units you administer.") % {"code": unit_code}
            )

    # 2. One account per person, the same on all their rows.
    people: dict[str, PersonPlan] = {}
    for row in rows:
        key = _person_key(row.data)
        if not key:
            continue
        person = people.get(key)
        if person is None:
            people[key] = PersonPlan(key=key, first_row=row)
            continue
        first = person.first_row.data
        for column, label in (
            ("full_name", _("full name")),
            ("email", _("e-mail")),
            ("username", _("username")),
        ):
            if row.data.get(column) and first.get(column) and row.data[column] != first[column]:
                row.refuse(
                    _("The %(field)s differs from row %(line)d of the same person.")
                    % {"field": label, "line": person.first_row.line}
                )
    plan.people = list(people.values())

    staff_codes = {
        p.first_row.data["staff_code"] for p in plan.people if p.first_row.data.get("staff_code")
    }
    usernames = {
        p.first_row.data["username"] for p in plan.people if p.first_row.data.get("username")
    }
    usernames |= {_derived_username(c) for c in staff_codes}
    emails = {
        p.first_row.data["email"].lower() for p in plan.people if p.first_row.data.get("email")
    }
    by_staff, by_username, by_email = {}, {}, defaultdict(list)
    for chunk in chunks(staff_codes):
        by_staff.update({u.staff_code: u for u in User.objects.filter(staff_code__in=chunk)})
    for chunk in chunks(usernames):
        by_username.update({u.username: u for u in User.objects.filter(username__in=chunk)})
    for chunk in chunks(emails):
        for user in User.objects.filter(email__in=chunk):
            by_email[user.email.lower()].append(user)

    # 3. Match each person to an account, or plan a new one.
    new_usernames, new_emails = {}, {}
    for person in plan.people:
        row, data = person.first_row, person.first_row.data
        staff_code, username = data.get("staff_code", ""), data.get("username", "")
        user = by_staff.get(staff_code) if staff_code else None
        if user is None and username:
            user = by_username.get(username)
            if (
                user is not None
                and staff_code
                and user.staff_code
                and user.staff_code != staff_code
            ):
                row.refuse(
                    _("The username %(name)s belongs to the staff code %(code)s.")
                    % {"name": username, "code": user.staff_code}
                )
                continue
        if user is not None and username and user.username != username:
            row.refuse(
                _("The staff code %(code)s belongs to the account %(name)s, not %(given)s.")
                % {"code": staff_code, "name": user.username, "given": username}
            )
            continue
        email = data.get("email", "")
        if email:
            others = [u for u in by_email.get(email.lower(), []) if user is None or u.pk != user.pk]
            if others:
                row.refuse(
                    _("The e-mail %(email)s is already the account %(name)s's.")
                    % {"email": email, "name": others[0].username}
                )
                continue
            if email.lower() in new_emails and user is None:
                row.refuse(
                    _("The e-mail %(email)s is already on row %(line)d.")
                    % {"email": email, "line": new_emails[email.lower()]}
                )
                continue
            new_emails.setdefault(email.lower(), row.line)
        if user is None:
            username = username or _derived_username(staff_code)
            if not username:
                row.refuse(_("Give a username: the staff code has no letter or digit."))
                continue
            if username in by_username:
                row.refuse(_("The username %(name)s is already taken.") % {"name": username})
                continue
            if username in new_usernames:
                row.refuse(
                    _("The username %(name)s is already on row %(line)d.")
                    % {"name": username, "line": new_usernames[username]}
                )
                continue
            new_usernames[username] = row.line
            person.create = {
                "username": username,
                "full_name": data.get("full_name", ""),
                "email": email,
                "staff_code": staff_code or None,
            }
            continue
        person.user = user
        if staff_code and not user.staff_code:
            person.update["staff_code"] = staff_code
        if data.get("full_name") and data["full_name"] != user.full_name:
            person.update["full_name"] = data["full_name"]
        if email and email != user.email:
            person.update["email"] = email

    matched = [p for p in plan.people if p.user is not None]
    administrable = set()
    managed = users_administered_by(actor)
    for chunk in chunks([p.user.pk for p in matched]):
        administrable.update(managed.filter(pk__in=chunk).values_list("pk", flat=True))
    for person in matched:
        person.administrable = person.user.pk in administrable

    memberships, past = {}, set()
    for chunk in chunks([p.user.pk for p in matched]):
        for membership in Membership.objects.filter(user_id__in=chunk):
            memberships[(membership.user_id, membership.unit_id, membership.role)] = membership
        past.update(
            PastMembership.objects.filter(user_id__in=chunk).values_list(
                "user_id", "unit_id", "role"
            )
        )

    # 4. Each row: the account's changes (on the person's first row) and the membership.
    # The messages of every row, translated once (20,000 rows would mean 40,000 look-ups).
    new_account = _("New account %(name)s.")
    becomes = _("Becomes %(role)s in %(unit)s%(title)s.")
    taken: dict[tuple, int] = {}
    for row in rows:
        if row.errors:
            continue
        person = people[_person_key(row.data)]
        if person.first_row.errors:
            row.refuse(
                _("The person is refused on row %(line)d.") % {"line": person.first_row.line}
            )
            continue
        data, dates = row.data, row.dates
        node = nodes[data["unit_code"]]
        unit_label = node.unit.name if node.exists else node.name
        role_label = role_labels[row.role]
        if row is person.first_row:
            if person.create is not None:
                row.action = Action.CREATE
                row.changes.append(new_account % {"name": person.create["username"]})
            elif person.update:
                if not person.administrable:
                    row.refuse(
                        _(
                            "%(name)s also serves in units outside those you administer: their "
                            "account is changed by an administrator of a superior unit."
                        )
                        % {"name": person.user.username}
                    )
                    continue
                row.action = Action.UPDATE
                for key, value in person.update.items():
                    row.changes.append(
                        {
                            "full_name": _("Full name: “%(old)s” → “%(new)s”."),
                            "email": _("E-mail: “%(old)s” → “%(new)s”."),
                            "staff_code": _("Staff code: “%(old)s” → “%(new)s”."),
                        }[key]
                        % {"old": getattr(person.user, key) or "—", "new": value}
                    )
        identity = (person.key, data["unit_code"], row.role)
        if identity in taken:
            row.refuse(
                _("The same post (person, unit, role) is already on row %(line)d.")
                % {"line": taken[identity]}
            )
            continue
        taken[identity] = row.line
        existing = None
        if person.user is not None and node.exists:
            existing = memberships.get((person.user.pk, node.unit.pk, row.role))
        ended_on = dates.get("ended_on")
        if ended_on:
            if existing is not None:
                if ended_on < existing.started_on:
                    row.refuse(_("The end date is before the start of this post."))
                    continue
                plan.membership_ends.append((existing, ended_on, data.get("reason", "")))
                row.ends_post = True
                row.mark(Action.END)
                row.changes.append(
                    _("Ends as %(role)s in %(unit)s on %(date)s (kept in the history).")
                    % {
                        "role": role_label,
                        "unit": unit_label,
                        "date": ended_on.strftime("%d/%m/%Y"),
                    }
                )
            elif (
                person.user is not None
                and node.exists
                and (person.user.pk, node.unit.pk, row.role) in past
            ):
                row.changes.append(_("This post has already ended."))
            else:
                row.refuse(_("There is no such post to end."))
            continue
        if not person.administrable:
            row.refuse(
                _(
                    "%(name)s also serves in units outside those you administer: their posts are "
                    "given by an administrator of a superior unit."
                )
                % {"name": person.user.username}
            )
            continue
        title = data.get("title", "")
        if existing is None:
            plan.membership_creates.append(
                MembershipCreate(
                    person, data["unit_code"], row.role, title, dates.get("started_on")
                )
            )
            row.mark(Action.CREATE)
            row.changes.append(
                becomes
                % {"role": role_label, "unit": unit_label, "title": f" ({title})" if title else ""}
            )
            continue
        changed = {}
        if title and title != existing.title:
            changed["title"] = title
            row.changes.append(
                _("Position: “%(old)s” → “%(new)s”.") % {"old": existing.title or "—", "new": title}
            )
        started_on = dates.get("started_on")
        if started_on and started_on != existing.started_on:
            changed["started_on"] = started_on
            row.changes.append(
                _("Since: %(old)s → %(new)s.")
                % {
                    "old": existing.started_on.strftime("%d/%m/%Y"),
                    "new": started_on.strftime("%d/%m/%Y"),
                }
            )
        if changed:
            plan.membership_updates.append((existing, changed))
            row.mark(Action.UPDATE)
    # A person refused on a later row keeps no planned account.
    for person in plan.people:
        if person.first_row.errors:
            person.create, person.update = None, {}
    plan.membership_creates = [m for m in plan.membership_creates if not m.person.first_row.errors]

"""A proposal approved or rejected through the real services, and a PDF's text."""

import io
import unicodedata

from pypdf import PdfReader

from proposals import services as proposal_services
from tests.factories.pilots import approved
from tests.factories.proposals import ProposalFactory, fresh


def approve(org, **fields):
    proposal = ProposalFactory(home_unit=org.agency, created_by=org.cadre, **fields)
    return approved(
        proposal,
        author=org.cadre,
        head=org.head,
        party=org.party,
        voters=[org.deputy1, org.deputy2],
    )


def reject(org, *, unit=None, author=None, head=None, party=None):
    unit = unit or org.agency
    author, head, party = author or org.cadre, head or org.head, party or org.party
    proposal = ProposalFactory(home_unit=unit, created_by=author)
    proposal_services.proposal_submit(proposal=fresh(proposal), actor=author)
    proposal_services.proposal_open_review(proposal=fresh(proposal), actor=head)
    proposal_services.vote_cast(proposal=fresh(proposal), actor=head, choice="against")
    proposal_services.proposal_reject(
        proposal=fresh(proposal), actor=head, reasons="Chưa làm rõ nguồn lực thực hiện."
    )
    return fresh(proposal)


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))

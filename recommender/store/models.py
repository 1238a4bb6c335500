"""The domain model: supplier profiles, buyers, accounts, policies and logs.

SQLAlchemy 2.0 typed declarative models, portable between SQLite and
PostgreSQL: enums are stored as short strings with a CHECK constraint (no
native PostgreSQL enum types to migrate), lists as JSON, and every timestamp
as a timezone-aware UTC datetime (:class:`UTCDateTime`). The schema itself is
created by the Alembic migrations in ``migrations/``, never by ``create_all``
in production; a test pins that both agree.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Double,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from ..sizes import SizeClass

# Fixed constraint names, so migrations (and SQLite batch mode) can address them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Longest accepted values; the importer checks them before the database does.
MAX_LEN = {
    "external_id": 64,
    "name": 255,
    "tax_code": 14,
    "description": 10_000,
    "capacity": 255,
    "park": 100,
    "ward": 120,
    "address": 500,
    "contact_name": 120,
    "email": 254,
    "phone": 40,
    "website": 255,
    "language": 8,
    "list_item": 255,
    "cert_name": 120,
    "cert_issuer": 255,
    "cert_scope": 1_000,
    "listing_what": 500,
    "listing_short": 120,
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so values are
    stored as naive UTC and marked UTC again when read. Naive datetimes are
    refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give a timezone (UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    """A portable enum column: values (not member names) in a VARCHAR with a CHECK."""
    return Enum(cls, name=name, native_enum=False, create_constraint=True,
                length=max(len(m.value) for m in cls),
                values_callable=lambda e: [m.value for m in e], validate_strings=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), date: Date(), dict[str, Any]: JSON,
                           list[str]: JSON, list[dict[str, Any]]: JSON}


class Ownership(enum.StrEnum):
    DOMESTIC = "domestic"
    FDI = "fdi"
    JOINT_VENTURE = "joint_venture"


class AccountRole(enum.StrEnum):
    BUYER = "buyer"
    ENTERPRISE = "enterprise"
    STAFF = "staff"


class RequestStatus(enum.StrEnum):
    OPEN = "open"
    MATCHED = "matched"
    CLOSED = "closed"


class ContactStatus(enum.StrEnum):
    NEW = "new"
    READ = "read"
    REPLIED = "replied"
    CLOSED = "closed"


class ChangeOp(enum.StrEnum):
    UPSERT = "upsert"
    DELETE = "delete"


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    PROMOTED = "promoted"
    REFUSED = "refused"
    FAILED = "failed"
    SKIPPED = "skipped"


class ClaimStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class InteractionKind(enum.StrEnum):
    IMPRESSION = "impression"
    CLICK = "click"
    SHORTLIST = "shortlist"
    CONTACT = "contact"


class ListingKind(enum.StrEnum):
    OFFER = "offer"
    NEED = "need"


class ExchangeStatus(enum.StrEnum):
    SENT = "sent"
    """Waiting for the other firm's answer."""
    ACCEPTED = "accepted"
    """The other firm agreed to talk; the two have each other's contact."""
    DECLINED = "declined"
    DONE = "done"
    """The exchange took place (a realised exchange in the park view)."""


class SupplierProfile(Base):
    """A supplier's capability profile, as buyers search and see it."""

    __tablename__ = "supplier_profile"
    # ids are search-index document ids: SQLite must not reuse a deleted profile's id
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(MAX_LEN["external_id"]), unique=True)
    name: Mapped[str] = mapped_column(String(MAX_LEN["name"]))
    tax_code: Mapped[str | None] = mapped_column(String(MAX_LEN["tax_code"]), unique=True)
    """Vietnamese MST: 10 digits, or 10 digits, ``-`` and a 3-digit branch number."""
    ownership: Mapped[Ownership | None] = mapped_column(_enum(Ownership, "ownership"))
    size_class: Mapped[SizeClass | None] = mapped_column(_enum(SizeClass, "size_class"))
    employees: Mapped[int | None]
    revenue_bn_vnd: Mapped[float | None] = mapped_column(Double)
    capital_bn_vnd: Mapped[float | None] = mapped_column(Double)
    sector: Mapped[str | None] = mapped_column(String(32), index=True)
    """A sector key of the taxonomy; None when the firm's wording named none."""
    processes: Mapped[list[str]] = mapped_column(default=list)
    """Taxonomy keys of the processes and product groups, main one first."""
    capabilities: Mapped[list[dict] | None] = mapped_column(JSON, default=list)
    """Each process or product phrase as the firm wrote it with what it was mapped to:
    ``{"text", "keys", "confidence", "how"}`` (:class:`recommender.taxonomy.PhraseMapping`);
    a phrase with no keys is kept as searchable free text for staff to review."""
    materials: Mapped[list[str]] = mapped_column(default=list)
    machines: Mapped[list[str]] = mapped_column(default=list)
    description: Mapped[str] = mapped_column(Text)
    """Capabilities as plain text (never markup)."""
    capacity: Mapped[str | None] = mapped_column(String(MAX_LEN["capacity"]))
    park: Mapped[str | None] = mapped_column(String(MAX_LEN["park"]), index=True)
    """Exact park name from :data:`recommender.places.PARKS`; None outside any park."""
    ward: Mapped[str | None] = mapped_column(String(MAX_LEN["ward"]))
    """Ward or commune (2025 units)."""
    address: Mapped[str | None] = mapped_column(String(MAX_LEN["address"]))
    """The address as written (old place names included)."""
    area: Mapped[str | None] = mapped_column(String(MAX_LEN["ward"]))
    """The former district or town the location lies in ("Quận 7", "Dĩ An")."""
    region: Mapped[str | None] = mapped_column(String(60))
    """The former province: Hồ Chí Minh, Bình Dương or Bà Rịa–Vũng Tàu (merged in 2025)."""
    source_values: Mapped[dict | None] = mapped_column(JSON, default=dict)
    """Values of the imported file that no field holds (an unknown column, an ownership or
    sector that named nothing known), by column, so nothing a file said is lost."""
    export_experience: Mapped[list[str]] = mapped_column(default=list)
    contact_name: Mapped[str | None] = mapped_column(String(MAX_LEN["contact_name"]))
    email: Mapped[str | None] = mapped_column(String(MAX_LEN["email"]))
    phone: Mapped[str | None] = mapped_column(String(MAX_LEN["phone"]))
    website: Mapped[str | None] = mapped_column(String(MAX_LEN["website"]))
    language: Mapped[str | None] = mapped_column(String(MAX_LEN["language"]))
    sample: Mapped[bool] = mapped_column(Boolean, default=False)
    """Invented sample data, never to be shown as a real supplier."""
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    """Checked by staff against documents."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    """When the profile's content last changed or was confirmed."""

    certifications: Mapped[list[Certification]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", passive_deletes=True,
        order_by="Certification.id")

    def __repr__(self) -> str:
        return f"SupplierProfile({self.external_id!r}, {self.name!r})"


class TermMapping(Base):
    """A phrase staff mapped to a taxonomy node (or confirmed as free text).

    Applied before the taxonomy's own matching on every later import and
    profile save, so a confirmed decision is made once.
    """

    __tablename__ = "term_mapping"

    phrase: Mapped[str] = mapped_column(String(MAX_LEN["list_item"]), primary_key=True)
    """The phrase accent-folded and lower-cased, as :meth:`Taxonomy.map_phrase` looks it up."""
    text: Mapped[str] = mapped_column(String(MAX_LEN["list_item"]))
    """The phrase as first written."""
    key: Mapped[str | None] = mapped_column(String(64))
    """A taxonomy key; None keeps the phrase as free text."""
    confirmed_by: Mapped[str | None] = mapped_column(String(254))
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Certification(Base):
    """A certificate a supplier holds (ISO 9001, IATF 16949, ...)."""

    __tablename__ = "certification"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("supplier_profile.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(MAX_LEN["cert_name"]))
    issuer: Mapped[str | None] = mapped_column(String(MAX_LEN["cert_issuer"]))
    scope: Mapped[str | None] = mapped_column(Text)
    valid_until: Mapped[date | None]

    profile: Mapped[SupplierProfile] = relationship(back_populates="certifications")

    def is_valid(self, on: date) -> bool:
        """Valid on ``on`` (inclusive). Without a known expiry date: not valid,
        because buyers check the dates."""
        return self.valid_until is not None and on <= self.valid_until


class Buyer(Base):
    """A buying company, typically an FDI manufacturer in a park."""

    __tablename__ = "buyer"

    id: Mapped[int] = mapped_column(primary_key=True)
    company: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(254))
    contact_name: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(40))
    country: Mapped[str | None] = mapped_column(String(80))
    park: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    requests: Mapped[list[BuyerRequest]] = relationship(
        back_populates="buyer", cascade="all, delete-orphan", passive_deletes=True)


class EnterpriseAccount(Base):
    """A login: a buyer, a supplier enterprise managing its profile, or staff."""

    __tablename__ = "enterprise_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[AccountRole] = mapped_column(_enum(AccountRole, "account_role"))
    profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("supplier_profile.id", ondelete="SET NULL"), index=True)
    buyer_id: Mapped[int | None] = mapped_column(
        ForeignKey("buyer.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    profile: Mapped[SupplierProfile | None] = relationship()
    buyer: Mapped[Buyer | None] = relationship()


class ProfileClaim(Base):
    """An account's request to manage an existing profile, and what was decided.

    A claim never grants edit rights by itself: staff approve it (seeing what the
    claimant submitted and the contact on file), or the claimant enters the
    one-time code sent to the profile's e-mail on file. The rows are the log of
    claims and decisions.
    """

    __tablename__ = "profile_claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("supplier_profile.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise_account.id", ondelete="CASCADE"), index=True)
    status: Mapped[ClaimStatus] = mapped_column(
        _enum(ClaimStatus, "claim_status"), default=ClaimStatus.PENDING, index=True)
    submitted: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """What the claimant wrote: contact name, position, phone, a message."""
    code_hash: Mapped[str | None] = mapped_column(String(64))
    """SHA-256 of the one-time code sent to the e-mail on file (never the code)."""
    code_sent_to: Mapped[str | None] = mapped_column(String(254))
    code_expires_at: Mapped[datetime | None]
    code_attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(Integer)
    """The staff account that decided; None when the e-mailed code confirmed it. Not a
    foreign key: the log outlives a deleted account."""
    decision: Mapped[str | None] = mapped_column(Text)
    """How and why it was decided (shown to the claimant and to staff)."""

    profile: Mapped[SupplierProfile] = relationship()
    account: Mapped[EnterpriseAccount] = relationship()


class ApiToken(Base):
    """A bearer token an API client sends instead of the HTML login form.

    Only a SHA-256 digest is stored; the token itself is shown once, when made.
    """

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    """The token's first characters, to tell tokens apart in a list."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    account: Mapped[EnterpriseAccount] = relationship()


class BuyerRequest(Base):
    """A request for quotation (RFQ): what a buyer needs, in words and fields."""

    __tablename__ = "buyer_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("buyer.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    processes: Mapped[list[str]] = mapped_column(default=list)
    certifications: Mapped[list[str]] = mapped_column(default=list)
    park: Mapped[str | None] = mapped_column(String(100))
    quantity: Mapped[str | None] = mapped_column(String(120))
    due_date: Mapped[date | None]
    status: Mapped[RequestStatus] = mapped_column(
        _enum(RequestStatus, "request_status"), default=RequestStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    buyer: Mapped[Buyer] = relationship(back_populates="requests")


class PolicyProgram(Base):
    """A support policy or programme firms can be pointed to (decree, decision, ...)."""

    __tablename__ = "policy_program"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title_vi: Mapped[str] = mapped_column(String(500))
    title_en: Mapped[str] = mapped_column(String(500))
    legal_basis: Mapped[str] = mapped_column(String(500))
    issuer: Mapped[str] = mapped_column(String(255))
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]
    benefits: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    eligibility: Mapped[dict[str, Any]] = mapped_column(default=dict)
    source_url: Mapped[str | None] = mapped_column(String(1000))
    summary_vi: Mapped[str] = mapped_column(Text, default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    """Checked against the official text by staff."""


class SearchLog(Base):
    """One buyer search: the query, its filters and what was shown."""

    __tablename__ = "search_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    query: Mapped[str] = mapped_column(Text)
    lang: Mapped[str | None] = mapped_column(String(16))
    filters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    result_external_ids: Mapped[list[str]] = mapped_column(default=list)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise_account.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    result_count: Mapped[int | None]
    """How many suppliers were returned."""
    top_score: Mapped[float | None] = mapped_column(Double)
    """The best fused score shown (None when nothing was returned)."""
    good_match: Mapped[bool | None] = mapped_column(Boolean)
    """Whether any result matched well (every stated requirement met, score above the
    no-good-match threshold): False marks a supply gap."""
    took_ms: Mapped[float | None] = mapped_column(Double)


class Interaction(Base):
    """A buyer's action on a profile, optionally tied to the search that showed it."""

    __tablename__ = "interaction"
    __table_args__ = (Index("ix_interaction_profile_kind", "profile_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    search_log_id: Mapped[int | None] = mapped_column(
        ForeignKey("search_log.id", ondelete="SET NULL"), index=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("supplier_profile.id", ondelete="CASCADE"))
    kind: Mapped[InteractionKind] = mapped_column(_enum(InteractionKind, "interaction_kind"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise_account.id", ondelete="SET NULL"), index=True)
    rank: Mapped[int | None]
    """The result's position (1-based) in the search that showed it."""


class ShortlistEntry(Base):
    """A supplier a buyer account keeps for later."""

    __tablename__ = "shortlist_entry"
    __table_args__ = (UniqueConstraint("account_id", "profile_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise_account.id", ondelete="CASCADE"), index=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("supplier_profile.id", ondelete="CASCADE"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContactRequest(Base):
    """A buyer's message to a supplier, shown in the supplier's inbox."""

    __tablename__ = "contact_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise_account.id", ondelete="SET NULL"), index=True)
    """The buyer account that sent it."""
    buyer_id: Mapped[int | None] = mapped_column(
        ForeignKey("buyer.id", ondelete="SET NULL"), index=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("supplier_profile.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("buyer_request.id", ondelete="SET NULL"), index=True)
    """The RFQ it is about, if any."""
    search_log_id: Mapped[int | None] = mapped_column(
        ForeignKey("search_log.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(255))
    message: Mapped[str] = mapped_column(Text)
    """Plain text written by the buyer (escaped when shown)."""
    status: Mapped[ContactStatus] = mapped_column(
        _enum(ContactStatus, "contact_status"), default=ContactStatus.NEW)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[datetime | None]


class RequestMatch(Base):
    """A supplier an RFQ was matched to (the supplier is told about the request)."""

    __tablename__ = "request_match"
    __table_args__ = (UniqueConstraint("request_id", "profile_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("buyer_request.id", ondelete="CASCADE"), index=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("supplier_profile.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int]
    score: Mapped[float] = mapped_column(Double)
    explanation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime | None]


class ProfileChange(Base):
    """One saved profile change, in commit order: how every serving process (on every
    host sharing the database) learns what to re-index. Not a foreign key: a deleted
    profile's change must outlive the profile."""

    __tablename__ = "profile_change"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    """Increasing sequence number; workers poll for ids above the last they applied."""
    profile_id: Mapped[int] = mapped_column(Integer, index=True)
    op: Mapped[ChangeOp] = mapped_column(_enum(ChangeOp, "change_op"))
    account_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IndexRun(Base):
    """One index rebuild (scheduled, by staff, from the command line): shown to staff."""

    __tablename__ = "index_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    trigger: Mapped[str] = mapped_column(String(32))
    """``schedule``, ``staff``, ``cli`` or ``start``."""
    status: Mapped[RunStatus] = mapped_column(
        _enum(RunStatus, "run_status"), default=RunStatus.RUNNING, index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]
    duration_s: Mapped[float | None] = mapped_column(Double)
    version_id: Mapped[str | None] = mapped_column(String(120))
    profile_count: Mapped[int | None]
    embedded_count: Mapped[int | None]
    """Texts that had to be embedded (not in the embedding cache)."""
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    progress: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Latest stage and counts while running (shown as a progress bar)."""
    message: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str | None] = mapped_column(String(255))
    """``hostname:pid`` of the process that ran it."""
    account_id: Mapped[int | None] = mapped_column(Integer)
    """The staff account that started it (trigger ``staff``). Not a foreign key: the
    history outlives a deleted account."""


class JobLock(Base):
    """A named lease in the database, so one job (the rebuild) runs at a time across
    processes and hosts. Taken by inserting the row (or replacing an expired one)."""

    __tablename__ = "job_lock"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(255))
    acquired_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    """Renewed by the holder while it works; an expired lease may be taken over."""


class IdBlock(Base):
    """The next unreserved id of a table whose rows get their ids before they are
    written (``search_log``: :mod:`.searchlog`); processes reserve blocks of ids."""

    __tablename__ = "id_block"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_id: Mapped[int] = mapped_column(BigInteger)


class ResourceListing(Base):
    """What a firm offers to other firms (a by-product, scrap, a waste stream, steam,
    spare capacity, a shared service) or needs, in its own words
    (:mod:`recommender.exchange`)."""

    __tablename__ = "resource_listing"
    # ids are exchange-index document ids: SQLite must not reuse a deleted listing's id
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("supplier_profile.id", ondelete="CASCADE"), index=True)
    """The firm that listed it (the only one that may change it)."""
    kind: Mapped[ListingKind] = mapped_column(_enum(ListingKind, "listing_kind"))
    what: Mapped[str] = mapped_column(String(MAX_LEN["listing_what"]))
    details: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[str] = mapped_column(String(MAX_LEN["listing_short"]), default="")
    """As written ("~5 tấn/tháng"); read by :mod:`recommender.exchange.quantities`."""
    frequency: Mapped[str] = mapped_column(String(MAX_LEN["listing_short"]), default="")
    site: Mapped[str] = mapped_column(String(MAX_LEN["address"]), default="")
    """Where it is, as written; the firm's park or address when not stated."""
    licence: Mapped[str] = mapped_column(String(MAX_LEN["listing_what"]), default="")
    """A need's hazardous-waste licence, as written (empty for most)."""
    resources: Mapped[list[str]] = mapped_column(default=list)
    """Resource-taxonomy keys read from it when it was saved."""
    hazard: Mapped[str | None] = mapped_column(String(16))
    """``hazardous``, ``controlled`` or ``ordinary`` for waste, as read when saved."""
    open: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    """Still on offer or still needed; a closed listing is kept for the park's record."""
    sample: Mapped[bool] = mapped_column(Boolean, default=False)
    """Invented sample data for the demonstration."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    profile: Mapped[SupplierProfile] = relationship()


class ExchangeRequest(Base):
    """One firm's request to exchange an offer for a need with the other firm."""

    __tablename__ = "exchange_request"
    __table_args__ = (UniqueConstraint("offer_id", "need_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(
        ForeignKey("resource_listing.id", ondelete="CASCADE"), index=True)
    need_id: Mapped[int] = mapped_column(
        ForeignKey("resource_listing.id", ondelete="CASCADE"), index=True)
    sender_id: Mapped[int] = mapped_column(
        ForeignKey("supplier_profile.id", ondelete="CASCADE"), index=True)
    """The firm that asked (owner of one of the two listings)."""
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("supplier_profile.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    """Plain text (escaped when shown)."""
    status: Mapped[ExchangeStatus] = mapped_column(
        _enum(ExchangeStatus, "exchange_status"), default=ExchangeStatus.SENT)
    tonnes_a_month: Mapped[float | None] = mapped_column(Double)
    """The offer's amount in tonnes a month when it could be read and it is a material or
    waste (what the exchange keeps out of landfill, in the park view)."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    answered_at: Mapped[datetime | None]

    offer: Mapped[ResourceListing] = relationship(foreign_keys=[offer_id])
    need: Mapped[ResourceListing] = relationship(foreign_keys=[need_id])


class PremisesKind(enum.StrEnum):
    READY_BUILT_FACTORY = "ready_built_factory"
    HIGH_RISE_FLOOR = "high_rise_floor"
    LAND_PLOT = "land_plot"
    WAREHOUSE = "warehouse"


class PremisesListing(Base):
    """Premises a park developer has available for firms (:mod:`recommender.premises`)."""

    __tablename__ = "premises_listing"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(MAX_LEN["external_id"]),
                                                    unique=True)
    """The id of an imported or sample row (``SP-001``); None for one entered here."""
    profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("supplier_profile.id", ondelete="CASCADE"), index=True)
    """The developer's own profile when its account listed it; None when staff did."""
    developer: Mapped[str] = mapped_column(String(MAX_LEN["name"]))
    park: Mapped[str] = mapped_column(String(MAX_LEN["park"]), index=True)
    """Exact park name (:data:`recommender.places.PARKS`)."""
    kind: Mapped[PremisesKind] = mapped_column(_enum(PremisesKind, "premises_kind"))
    title: Mapped[str] = mapped_column(String(MAX_LEN["listing_what"]))
    area_m2: Mapped[float] = mapped_column(Double)
    floor_load_t_m2: Mapped[float | None] = mapped_column(Double)
    power_kva: Mapped[float | None] = mapped_column(Double)
    price_low: Mapped[float | None] = mapped_column(Double)
    price_high: Mapped[float | None] = mapped_column(Double)
    price_unit: Mapped[str] = mapped_column(String(16), default="usd_m2_month")
    """``usd_m2_month`` (rent) or ``usd_m2_term`` (land, for the lease term)."""
    price_text: Mapped[str] = mapped_column(String(MAX_LEN["listing_short"]), default="")
    available_from: Mapped[date | None]
    min_lease_years: Mapped[int | None]
    description: Mapped[str] = mapped_column(Text, default="")
    open: Mapped[bool] = mapped_column(Boolean, default=True)
    sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PremisesRequest(Base):
    """What premises a firm needs (an SME looking for a factory, a floor, land)."""

    __tablename__ = "premises_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(MAX_LEN["external_id"]),
                                                    unique=True)
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("supplier_profile.id", ondelete="CASCADE"), index=True)
    kinds: Mapped[list[str]] = mapped_column(default=list)
    area_min: Mapped[float | None] = mapped_column(Double)
    area_max: Mapped[float | None] = mapped_column(Double)
    places: Mapped[str] = mapped_column(String(MAX_LEN["listing_what"]), default="")
    """Where, as written ("gần KCN Tân Tạo hoặc Bình Tân")."""
    floor_load_min: Mapped[float | None] = mapped_column(Double)
    power_min: Mapped[float | None] = mapped_column(Double)
    budget_max: Mapped[float | None] = mapped_column(Double)
    """US dollars per m² a month."""
    needed_by: Mapped[date | None]
    description: Mapped[str] = mapped_column(Text, default="")
    open: Mapped[bool] = mapped_column(Boolean, default=True)
    sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    profile: Mapped[SupplierProfile] = relationship()

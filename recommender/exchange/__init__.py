"""The resource exchange: what firms in the parks offer each other and need.

An enterprise lists, in its own words, a by-product, scrap, packaging, a waste
stream, water, steam or heat, spare machine capacity or a shared service it offers,
or one it needs (:class:`~recommender.exchange.match.Listing`). The listing is read
against the resource taxonomy (:mod:`~recommender.exchange.streams`, with the hazard
class of regulated waste), its amount and frequency are read where written
(:mod:`~recommender.exchange.quantities`), and offers are matched to needs by the
hybrid engine with the rules of law and physics (:mod:`~recommender.exchange.match`):
hazardous waste only to a licensed handler, steam and water only to a neighbour.
:mod:`~recommender.exchange.evaluate` measures it on the hand-written labelled set
(``corpora/exchange``).
"""

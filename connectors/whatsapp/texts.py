"""Everything the connector itself says to customers (English; one place to translate)."""

MEDIA_NOT_UNDERSTOOD = (
    "Thanks! I can't read photos or voice notes here yet. "
    "Please type what you need, for example: brake pads for Toyota Land Cruiser 2015."
)
UNSUPPORTED_TYPE = (
    "Sorry, I can only read text messages, photos and voice notes. "
    "Please type what you need, for example: brake pads for Toyota Land Cruiser 2015."
)
SOMETHING_WENT_WRONG = "Sorry, something went wrong on our side. Please send your message again in a moment."
CHOOSE_OPTION = "Please choose an option:"
LIST_BUTTON = "View options"
MORE_OPTIONS = "More options ({page}/{pages}):"
LOCATION_TEXT = "My location: {where}"
MEDIA_TOO_LARGE = "Sorry, that file is too large for me. Please send a smaller photo or a shorter voice note."

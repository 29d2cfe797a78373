"""What the customer is told when a photo or voice note cannot be used: English, then Arabic.

All user-facing media text lives here, keyed by the ``reason`` codes of :mod:`media.errors`
plus ``no_speech``. (A photo without a readable chassis number is answered by the assistant,
``utter_photo_tips`` in domain.yml, in the conversation's language.)
"""

from __future__ import annotations

_TYPE_TIPS = {
    "image": ("Please send the photo as a JPEG or PNG picture.", "يرجى إرسال الصورة بصيغة JPEG أو PNG."),
    "audio": ("Please record a normal WhatsApp voice note.", "يرجى تسجيل رسالة صوتية عادية في واتساب."),
}

_REPLIES: dict[str, tuple[str, str]] = {
    "too_large": (
        "Sorry, that file is too large for me to open ({limit}). {tip}",
        "عذراً، الملف كبير جداً ({limit}). {tip_ar}",
    ),
    "unsupported_type": (
        "Sorry, I can't open that kind of file. {tip} You can also type your message.",
        "عذراً، لا يمكنني فتح هذا النوع من الملفات. {tip_ar} ويمكنك أيضاً كتابة رسالتك.",
    ),
    "corrupt": (
        "Sorry, that file seems to be damaged and I couldn't open it. Could you send it again?",
        "عذراً، يبدو أن الملف تالف ولم أتمكن من فتحه. هل يمكنك إرساله مرة أخرى؟",
    ),
    "too_long": (
        "Sorry, that voice note is too long for me (the limit is {max_audio}). "
        "Please send a shorter one, or type your message.",
        "عذراً، الرسالة الصوتية طويلة جداً (الحد الأقصى {max_audio_ar}). "
        "يرجى إرسال رسالة أقصر أو كتابة رسالتك.",
    ),
    "no_speech": (
        "Sorry, I couldn't make out any words in that voice note. Could you type your message, please?",
        "عذراً، لم أتمكن من فهم الرسالة الصوتية. هل يمكنك كتابة رسالتك من فضلك؟",
    ),
    "timeout": (
        "Sorry, that took me too long to process. Could you try again, or type your message?",
        "عذراً، استغرقت المعالجة وقتاً طويلاً. هل يمكنك المحاولة مرة أخرى أو كتابة رسالتك؟",
    ),
    "download_failed": (
        "Sorry, I couldn't download your file from WhatsApp. Could you send it again?",
        "عذراً، لم أتمكن من تنزيل الملف من واتساب. هل يمكنك إرساله مرة أخرى؟",
    ),
}
_FALLBACK = (
    "Sorry, I can't handle {what} right now. Please type your message and I'll help you.",
    "عذراً، لا يمكنني التعامل مع {what_ar} الآن. يرجى كتابة رسالتك وسأساعدك.",
)
_WHAT = {"image": ("photos", "الصور"), "audio": ("voice notes", "الرسائل الصوتية")}


def _duration(seconds: float, arabic: bool) -> str:
    minutes, secs = divmod(round(seconds), 60)
    if arabic:
        return f"{minutes} دقيقة" if not secs else f"{minutes}:{secs:02d} دقيقة"
    if not secs:
        return f"{minutes} minute" + ("s" if minutes != 1 else "")
    return f"{minutes}:{secs:02d} minutes"


def reply_for(reason: str, kind: str = "image", *, max_audio_seconds: float = 120.0) -> str:
    """The bilingual reply for a ``reason`` code (unknown codes get a generic, still polite one)."""
    tip, tip_ar = _TYPE_TIPS.get(kind, _TYPE_TIPS["image"])
    what, what_ar = _WHAT.get(kind, _WHAT["image"])
    limit = "5 MB" if kind == "image" else "16 MB"
    en, ar = _REPLIES.get(reason, _FALLBACK)
    values = {
        "tip": tip,
        "tip_ar": tip_ar,
        "limit": limit,
        "what": what,
        "what_ar": what_ar,
        "max_audio": _duration(max_audio_seconds, False),
        "max_audio_ar": _duration(max_audio_seconds, True),
    }
    return f"{en.format(**values)}\n\n{ar.format(**values)}"

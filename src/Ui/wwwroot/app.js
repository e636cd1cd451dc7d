// Keeps a followed log scrolled to its newest line.
window.routinesConsole = {
    scrollToEnd: function (element) { if (element) { element.scrollTop = element.scrollHeight; } },
    copyText: function (text) { return navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.resolve(); }
};

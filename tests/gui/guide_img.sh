# Shared by the GUI tests whose screenshots illustrate docs/guide-*.md: with
# SASAE_UPDATE_GUIDE_IMAGES=1 they write them into docs/img/ (the checked-in images are
# these), otherwise nothing.
# guide_img SRC NAME [CROP [RESIZE]]: SRC (a screenshot) cropped to CROP (WxH+X+Y) and scaled
# to RESIZE (e.g. 50%), as an 8-bit palette PNG docs/img/NAME.png.
guide_img() {
    [ "${SASAE_UPDATE_GUIDE_IMAGES:-}" = 1 ] || return 0
    mkdir -p "$SASAE_SRC/docs/img"
    local args=()
    [ -n "${3:-}" ] && args+=(-crop "$3" +repage)
    [ -n "${4:-}" ] && args+=(-resize "$4")
    convert "$1" "${args[@]}" -strip -dither None -colors 128 "PNG8:$SASAE_SRC/docs/img/$2.png"
    echo "guide image: docs/img/$2.png"
}

# bash completion for sharectl. Load it with:  source <(sharectl completion bash)
# Each Tab asks sharectl itself (its [suggest] directive) what may come next, so it always matches this version.
_sharectl() {
    local IFS=$'\n'
    local line="${COMP_LINE:0:COMP_POINT}"
    # However sharectl was typed (a path, a function), it is asked as "sharectl".
    line="sharectl${line#"${COMP_WORDS[0]}"}"
    local suggestions
    suggestions=$(sharectl "[suggest:${#line}]" "$line" 2>/dev/null) || return 0
    COMPREPLY=($(compgen -W "$suggestions" -- "${COMP_WORDS[COMP_CWORD]}"))
}
complete -o default -F _sharectl sharectl

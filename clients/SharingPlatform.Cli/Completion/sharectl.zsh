#compdef sharectl
# zsh completion for sharectl. Load it with:  source <(sharectl completion zsh)
# Each Tab asks sharectl itself (its [suggest] directive) what may come next, so it always matches this version.
_sharectl() {
    local -a typed suggestions
    typed=("${words[@]:0:$CURRENT}")
    typed[1]=sharectl
    local line="${(j: :)typed}"
    suggestions=("${(@f)$(sharectl "[suggest:${#line}]" "$line" 2>/dev/null)}")
    suggestions=(${suggestions:#})
    if (( ${#suggestions} )); then
        compadd -a suggestions
    else
        _files
    fi
}
compdef _sharectl sharectl

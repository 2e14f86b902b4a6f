# fish completion for sharectl. Load it with:  sharectl completion fish | source
# Each Tab asks sharectl itself (its [suggest] directive) what may come next, so it always matches this version.
function __sharectl_suggest
    set -l typed (commandline -cpo) (commandline -ct)
    set typed[1] sharectl
    set -l line (string join ' ' -- $typed)
    sharectl "[suggest:"(string length -- "$line")"]" "$line" 2>/dev/null
end
complete -c sharectl -a '(__sharectl_suggest)'

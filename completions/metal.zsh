# zsh completion for metal: loads metal.bash beside this file, which turns on
# zsh's bash completion emulation itself. Use: source /path/to/completions/metal.zsh
source "${${(%):-%x}:A:h}/metal.bash"

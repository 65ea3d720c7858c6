// placeholder: written with issue 4

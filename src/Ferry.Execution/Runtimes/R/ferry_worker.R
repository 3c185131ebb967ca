# Ferry's R worker: one R session serving framed JSON requests over two pipes.
#
# Usage (by ferry_relay.py, never by the server itself):
#   Rscript --vanilla ferry_worker.R REQUEST_FD REPLY_FD CAPTURE_PATH
# Frames are a 4-byte little-endian length and that many bytes of UTF-8 JSON. The relay hands this
# worker one request at a time and owns the sockets, interrupts (it sends SIGINT while an execute
# runs), startBy and ping. stdout and stderr are the capture file CAPTURE_PATH (opened O_APPEND by
# the relay), read back as each execution's consoleOutput. See docs/worker-protocol.md.
#
# Everything here lives in a local environment: the global environment holds only the user's objects.
# All bookkeeping runs with interrupts suspended; only user code runs under allowInterrupts.
local({
  MAX_REPLY_BYTES <- 144 * 1024 * 1024
  MAX_CONSOLE_BYTES <- 4 * 1024 * 1024

  args <- commandArgs(trailingOnly = TRUE)
  inp <- file(paste0("/dev/fd/", args[1]), "rb", raw = TRUE)
  out <- file(paste0("/dev/fd/", args[2]), "wb", raw = TRUE)
  capture <- args[3]
  root <- normalizePath(getwd())
  loadNamespace("jsonlite")
  toJSON <- jsonlite::toJSON
  simplify <- get("simplify", envir = asNamespace("jsonlite"))

  `%||%` <- function(a, b) if (is.null(a)) b else a

  request_error <- function(status, message) {
    structure(class = c("ferry_request_error", "error", "condition"),
              list(message = message, call = NULL, status = status))
  }

  # ---- frames ----
  read_frame <- function() {
    header <- readBin(inp, "raw", 4L)
    if (length(header) < 4L) return(NULL)
    n <- sum(as.numeric(header) * c(1, 256, 65536, 16777216))
    body <- if (n > 0) readBin(inp, "raw", n) else raw()
    if (length(body) < n) return(NULL)
    body
  }

  write_frame <- function(text) {
    body <- charToRaw(text)
    writeBin(c(writeBin(length(body), raw(), size = 4L, endian = "little"), body), out)
    flush(out)
  }

  js <- function(x) as.character(toJSON(x, auto_unbox = TRUE, na = "null", null = "null", digits = NA))
  # Strings and scalars are encoded by hand: each toJSON() call costs some 70-120 microseconds.
  needs_escape <- "[\"\\\\\x01-\x1f]"
  needs_escape_control <- "[\x01-\x1f]"
  jstr <- function(s) {
    s <- enc2utf8(as.character(s))
    if (is.na(s)) return("null")
    if (!grepl(needs_escape, s, perl = TRUE, useBytes = TRUE)) return(paste0('"', s, '"'))
    if (nchar(s, type = "bytes") < 65536L) { # the usual console output: a few short lines
      e <- gsub("\\", "\\\\", s, fixed = TRUE)
      e <- gsub("\"", "\\\"", e, fixed = TRUE)
      e <- gsub("\n", "\\n", e, fixed = TRUE)
      e <- gsub("\t", "\\t", e, fixed = TRUE)
      if (!grepl(needs_escape_control, e, perl = TRUE, useBytes = TRUE)) return(paste0('"', e, '"'))
    }
    js(s)
  }
  jarray <- function(s) if (length(s)) paste0("[", paste(vapply(s, jstr, ""), collapse = ","), "]") else "[]"
  # A length-1 logical, integer, double or character without attributes, or NULL when x is not one.
  fast_scalar <- function(x) {
    if (length(x) != 1L || !is.null(attributes(x))) return(NULL)
    if (is.double(x)) return(if (is.finite(x)) sprintf("%.15g", x) else "null")
    if (is.integer(x)) return(if (is.na(x)) "null" else as.character(x))
    if (is.logical(x)) return(if (is.na(x)) "null" else if (x) "true" else "false")
    if (is.character(x)) return(jstr(x))
    NULL
  }
  b64 <- function(bytes) gsub("\n", "", jsonlite::base64_enc(bytes), fixed = TRUE) # base64_enc breaks lines
  error_reply <- function(status, message) paste0('{"error":', jstr(message), ',"status":', jstr(status), "}")

  utf8 <- function(bytes) {
    bytes[bytes == as.raw(0L)] <- as.raw(0x3fL) # '?': R strings cannot hold NUL
    s <- rawToChar(bytes)
    Encoding(s) <- "UTF-8"
    if (!validUTF8(s)) s <- iconv(s, "UTF-8", "UTF-8", sub = "\uFFFD")
    s
  }

  # ---- inputs: ML Server types ----
  scalars <- function(name, v, what) {
    if (is.list(v)) {
      if (any(vapply(v, function(e) length(e) > 1L || is.list(e), NA)))
        stop(sprintf("Input '%s' is not a %s value.", name, what), call. = FALSE)
      v <- unlist(lapply(v, function(e) if (is.null(e)) NA else e))
    }
    if (is.null(v)) v <- NA
    v
  }

  convert_input <- function(name, v, kind) {
    if (is.null(kind) || identical(kind, "")) return(simplify(v))
    fail <- function(what) stop(sprintf("Input '%s' %s", name, what), call. = FALSE)
    switch(kind,
      numeric = {
        v <- scalars(name, v, "numeric")
        x <- suppressWarnings(as.numeric(v))
        if (any(is.na(x) & !is.na(v))) fail("is not numeric.")
        x
      },
      integer = {
        v <- scalars(name, v, "integer")
        x <- suppressWarnings(as.numeric(v))
        if (any(is.na(x) & !is.na(v))) fail("is not an integer.")
        ok <- is.na(x) | (is.finite(x) & x == trunc(x) & abs(x) <= .Machine$integer.max)
        if (!all(ok)) fail(sprintf("is not an integer: %s.", format(x[!ok][1], digits = 15)))
        as.integer(x)
      },
      logical = {
        v <- scalars(name, v, "logical")
        x <- if (is.character(v)) as.logical(v) else if (is.numeric(v)) v != 0 else as.logical(v)
        if (any(is.na(x) & !is.na(v))) fail("is not logical.")
        x
      },
      character = {
        v <- scalars(name, v, "character")
        if (is.character(v)) v else as.character(v)
      },
      vector = {
        x <- simplify(v)
        if (is.null(x)) x <- logical(0)
        if (is.list(x) || !is.null(dim(x))) fail("is not a vector of single values.")
        x
      },
      matrix = {
        if (is.list(v) && length(v) == 0L) return(matrix(numeric(0), 0L, 0L))
        x <- simplify(v)
        if (!is.matrix(x)) fail("is not a matrix (an array of row arrays of equal length).")
        x
      },
      data.frame = {
        if (is.list(v) && !is.null(names(v))) { # column-oriented {col: [values]}
          cols <- lapply(names(v), function(col) {
            x <- simplify(v[[col]])
            if (is.null(x)) x <- logical(0)
            if (!is.atomic(x) || !is.null(dim(x))) fail(sprintf("has a column '%s' that is not an array of single values.", col))
            x
          })
          names(cols) <- names(v)
          lens <- unique(lengths(cols))
          if (length(lens) > 1L) fail("has columns of different lengths.")
          return(as.data.frame(cols, stringsAsFactors = FALSE, check.names = FALSE, optional = TRUE))
        }
        if (is.list(v) && length(v) == 0L) return(data.frame())
        x <- simplify(v) # an array of records
        if (!is.data.frame(x)) fail("is not a data.frame (an object of columns).")
        x
      },
      stop(request_error("badRequest", sprintf("Input '%s' has the unknown type '%s'.", name, kind)))
    )
  }

  # ---- outputs ----
  plain <- function(v) {
    if (is.factor(v)) v <- as.character(v)
    attributes(v) <- NULL
    v
  }

  encode_output <- function(v, kind) {
    if (is.function(v) || is.environment(v)) stop(sprintf("a %s cannot be encoded as JSON", class(v)[1]), call. = FALSE)
    o <- function(x, ...) as.character(toJSON(x, na = "null", null = "null", digits = NA, ...))
    if (is.null(kind)) {
      if (!is.null(fast <- fast_scalar(v))) return(fast)
      if (is.data.frame(v)) return(o(v, dataframe = "columns", rownames = FALSE))
      return(o(v, auto_unbox = TRUE, dataframe = "columns", force = FALSE))
    }
    scalar_or_array <- function(x) if (length(x) == 1L) fast_scalar(x) %||% o(x, auto_unbox = TRUE) else o(x)
    switch(kind,
      numeric = , integer = , logical = , character = {
        if (!is.atomic(v) || is.null(v)) stop(sprintf("a %s is not a %s value", class(v)[1], kind), call. = FALSE)
        x <- plain(v)
        if (kind == "numeric") {
          if (!(is.numeric(x) || all(is.na(x)))) stop(sprintf("a %s is not a numeric value", class(v)[1]), call. = FALSE)
          x <- as.numeric(x)
        } else if (kind == "integer") {
          if (!(is.numeric(x) || all(is.na(x)))) stop(sprintf("a %s is not an integer value", class(v)[1]), call. = FALSE)
          bad <- !is.na(x) & is.finite(x) & x != trunc(x)
          if (any(bad)) stop(sprintf("%s is not an integer", format(x[bad][1], digits = 15)), call. = FALSE)
        } else if (kind == "logical") {
          if (!(is.logical(x))) stop(sprintf("a %s is not a logical value", class(v)[1]), call. = FALSE)
        } else {
          x <- as.character(x)
        }
        scalar_or_array(x)
      },
      vector = {
        if (is.data.frame(v) || !(is.atomic(v) || (is.list(v) && all(vapply(v, function(e) is.atomic(e) && length(e) <= 1L, NA)))))
          stop(sprintf("a %s is not a vector", class(v)[1]), call. = FALSE)
        if (is.list(v)) v <- unlist(lapply(v, function(e) if (length(e) == 0L) NA else plain(e)))
        o(plain(v))
      },
      matrix = {
        if (is.data.frame(v)) v <- as.matrix(v)
        if (!is.matrix(v)) stop(sprintf("a %s is not a matrix", class(v)[1]), call. = FALSE)
        o(unname(v), matrix = "rowmajor")
      },
      data.frame = {
        if (is.matrix(v)) v <- as.data.frame(v, stringsAsFactors = FALSE)
        if (!is.data.frame(v)) stop(sprintf("a %s is not a data.frame", class(v)[1]), call. = FALSE)
        o(v, dataframe = "columns", rownames = FALSE)
      },
      stop(sprintf("the type '%s' is unknown", kind), call. = FALSE)
    )
  }

  # ---- files under the working directory ----
  files_state <- function() {
    if (length(list.files(root, all.files = TRUE, no.. = TRUE)) == 0L) return(character(0))
    result <- character(0)
    dirs <- ""
    while (length(dirs)) {
      dir <- dirs[1L]
      dirs <- dirs[-1L]
      full <- if (nzchar(dir)) file.path(root, dir) else root
      names <- list.files(full, all.files = TRUE, no.. = TRUE)
      if (!length(names)) next
      rel <- if (nzchar(dir)) file.path(dir, names) else names
      paths <- file.path(root, rel)
      links <- Sys.readlink(paths)
      info <- file.info(paths, extra_cols = FALSE)
      is_link <- !is.na(links) & nzchar(links)
      sub <- !is_link & !is.na(info$isdir) & info$isdir
      dirs <- c(dirs, rel[sub])
      keep <- !sub
      stamp <- ifelse(is_link, paste0("link:", links),
                      # sprintf formats each time alone: format() pads a vector to common digits, so a file's stamp
                      # would change when another file's time, listed beside it, needed more digits
                      paste(sprintf("%.17g", as.numeric(info$mtime)), info$size))
      result <- c(result, structure(stamp[keep], names = rel[keep]))
    }
    result
  }

  # ---- console ----
  flush_console <- function() {
    try(flush(stdout()), silent = TRUE)
    try(flush(stderr()), silent = TRUE)
  }

  read_console <- function() {
    size <- file.size(capture)
    if (is.na(size) || size == 0) return("")
    con <- file(capture, "rb", raw = TRUE)
    on.exit(close(con))
    if (size <= MAX_CONSOLE_BYTES) return(utf8(readBin(con, "raw", size)))
    half <- MAX_CONSOLE_BYTES %/% 2
    head <- utf8(readBin(con, "raw", half))
    seek(con, size - half)
    tail <- utf8(readBin(con, "raw", half))
    paste0(head, sprintf("\n[... %.0f bytes of output left out ...]\n", size - 2 * half), tail)
  }

  empty_capture <- function() {
    size <- file.size(capture)
    if (!is.na(size) && size > 0) close(file(capture, "wb")) # the relay's fds are O_APPEND: writes go on at 0
  }

  # ---- running code ----
  format_call <- function(call) {
    if (is.null(call)) return(NULL)
    text <- deparse(call, nlines = 1L)[1L]
    if (identical(text, "eval(expr, env)") || identical(text, "withVisible(eval(expr, env))")) return(NULL)
    text
  }

  format_error <- function(e) {
    call <- format_call(conditionCall(e))
    if (is.null(call)) paste0("Error: ", conditionMessage(e)) else paste0("Error in ", call, " : ", conditionMessage(e))
  }

  on_warning <- function(w) {
    call <- format_call(conditionCall(w))
    cat("Warning message:\n", if (!is.null(call)) paste0("In ", call, " : ") else "", conditionMessage(w), "\n",
        sep = "", file = stderr())
    invokeRestart("muffleWarning")
  }

  run_code <- function(code, env) {
    exprs <- tryCatch(parse(text = code, keep.source = FALSE), error = function(e) {
      stop(simpleError(sub("^<text>:", "", conditionMessage(e)), NULL))
    })
    for (expr in exprs) {
      r <- withVisible(eval(expr, env))
      if (r$visible) {
        if (isS4(r$value)) methods::show(r$value) else print(r$value)
      }
    }
    invisible(NULL)
  }

  execute <- function(req) {
    code <- paste(as.character(unlist(req$code %||% "")), collapse = "\n")
    output_files <- as.character(unlist(req$outputFiles))
    for (f in output_files) unlink(file.path(root, f)) # a file from an earlier call must not pass for this one's
    before <- files_state()
    env <- if (isTRUE(req$isolated)) new.env(parent = globalenv()) else globalenv()
    flush_console()
    empty_capture()

    failure <- tryCatch({
      for (item in req$inputs) {
        name <- as.character(item$name)
        value <- convert_input(name, item$value, item$type)
        if (is.null(value)) assign(name, NULL, envir = env) else assign(name, value, envir = env)
      }
      withRestarts(
        withCallingHandlers(
          allowInterrupts({
            Sys.sleep(0) # an interrupt that came while the request was being read takes effect here
            run_code(code, env)
          }),
          warning = on_warning),
        abort = function() stop("The code invoked the 'abort' restart.", call. = FALSE))
      NULL
    },
    interrupt = function(e) "Execution was interrupted (cancelled or past its time limit).",
    ferry_request_error = function(e) e,
    error = function(e) {
      message <- format_error(e)
      try(cat(message, "\n", sep = "", file = stderr()), silent = TRUE)
      message
    })
    if (inherits(failure, "ferry_request_error")) stop(failure)
    while (sink.number() > 0L) sink()
    flush_console()
    console <- read_console()

    kinds <- req$outputTypes %||% list()
    problems <- character(0)
    params <- character(0)
    for (name in as.character(unlist(req$outputs))) {
      where <- if (exists(name, envir = env, inherits = FALSE)) env
               else if (exists(name, envir = globalenv(), inherits = FALSE)) globalenv()
      if (is.null(where)) {
        problems <- c(problems, sprintf("Output '%s' was not defined by the code.", name))
        next
      }
      kind <- kinds[[name]]
      if (identical(kind, "")) kind <- NULL
      encoded <- tryCatch(encode_output(get(name, envir = where), kind), error = function(e) e)
      if (inherits(encoded, "error") || !validUTF8(encoded)) {
        why <- if (inherits(encoded, "error")) conditionMessage(encoded) else "it holds text that is not UTF-8"
        problems <- c(problems, sprintf("Output '%s' could not be encoded as %s: %s.", name, kind %||% "JSON", why))
        next
      }
      params <- c(params, paste0('{"name":', jstr(name), ',"value":', encoded, "}"))
    }
    files <- character(0)
    for (f in output_files) {
      path <- file.path(root, f)
      size <- file.size(path)
      if (is.na(size) || dir.exists(path)) {
        problems <- c(problems, sprintf("Output file '%s' was not written by the code.", f))
        next
      }
      data <- readBin(path, "raw", size)
      files <- c(files, paste0(jstr(f), ':"', b64(data), '"'))
    }
    success <- is.null(failure)
    error <- if (success) "" else failure
    if (length(problems) && success) {
      success <- FALSE
      error <- paste(problems, collapse = " ")
    }
    after <- files_state()
    changed <- sort(names(after)[is.na(before[names(after)]) | before[names(after)] != after])
    paste0('{"success":', if (success) "true" else "false",
           ',"errorMessage":', jstr(error),
           ',"consoleOutput":', jstr(console),
           ',"outputParameters":[', paste(params, collapse = ","), "]",
           ',"outputFiles":{', paste(files, collapse = ","), "}",
           ',"changedFiles":', jarray(changed), "}")
  }

  # ---- the workspace ----
  objects <- function() ls(globalenv(), all.names = FALSE, sorted = TRUE)

  load_bytes <- function(bytes) {
    attempts <- list(
      function() unserialize(bytes),
      function() { con <- gzcon(rawConnection(bytes)); on.exit(close(con)); readRDS(con) },
      function() unserialize(memDecompress(bytes, "unknown")))
    for (attempt in attempts) {
      value <- tryCatch(list(attempt()), error = function(e) NULL, warning = function(w) NULL)
      if (!is.null(value)) return(value)
    }
    NULL
  }

  workspace_get <- function(name) {
    if (!exists(name, envir = globalenv(), inherits = FALSE))
      stop(request_error("notFound", sprintf("The workspace has no object '%s'.", name)))
    data <- tryCatch(serialize(get(name, envir = globalenv()), NULL), error = function(e)
      stop(request_error("badRequest", sprintf("The object '%s' cannot be serialized: %s", name, conditionMessage(e)))))
    paste0('{"data":"', b64(data), '"}')
  }

  workspace_set <- function(name, data) {
    if (!is.character(name) || length(name) != 1L || !nzchar(name))
      stop(request_error("badRequest", "The object needs a name."))
    bytes <- tryCatch(jsonlite::base64_dec(as.character(data)), error = function(e) NULL)
    value <- if (length(bytes)) load_bytes(bytes)
    if (is.null(value))
      stop(request_error("badRequest", "The body is not an R object in serialize() or saveRDS() format."))
    assign(name, value[[1L]], envir = globalenv())
    "{}"
  }

  workspace_delete <- function(name) {
    if (!exists(name, envir = globalenv(), inherits = FALSE))
      stop(request_error("notFound", sprintf("The workspace has no object '%s'.", name)))
    rm(list = name, envir = globalenv())
    "{}"
  }

  # A saved workspace is an .RData file: save(list = names, envir = globalenv(), file = path), the
  # format of save.image() and load(). Hidden names (.Random.seed) are saved too.
  save_workspace <- function(path) {
    names <- ls(globalenv(), all.names = TRUE, sorted = TRUE)
    skipped <- character(0)
    ok <- tryCatch({ save(list = names, envir = globalenv(), file = path); TRUE }, error = function(e) FALSE)
    if (!ok) {
      for (n in names) {
        fine <- tryCatch({ serialize(get(n, envir = globalenv()), NULL); TRUE }, error = function(e) FALSE)
        if (!fine) skipped <- c(skipped, n)
      }
      names <- setdiff(names, skipped)
      save(list = names, envir = globalenv(), file = path)
    }
    paste0('{"saved":', jarray(names), ',"skipped":', jarray(skipped), "}")
  }

  # Merges an .RData file (as written by save_workspace or save()) into the global environment; an
  # RDS file holding a named list is accepted too.
  load_workspace <- function(path) {
    staging <- new.env(parent = emptyenv())
    names <- tryCatch(load(path, envir = staging), error = function(e) NULL, warning = function(w) NULL)
    if (is.null(names)) {
      value <- tryCatch(readRDS(path), error = function(e) NULL, warning = function(w) NULL)
      if (!is.list(value) || (length(value) && (is.null(names(value)) || any(!nzchar(names(value))))))
        stop(request_error("badRequest", "The saved workspace is not an .RData file nor an RDS named list."))
      list2env(value, envir = staging)
      names <- names(value)
    }
    for (n in names) assign(n, get(n, envir = staging), envir = globalenv())
    paste0('{"loaded":', jarray(sort(names)), "}")
  }

  serve <- function(req) {
    kind <- req$type %||% ""
    name <- function() as.character(req$name %||% "")
    switch(kind,
      execute = execute(req),
      workspace_list = paste0('{"names":', jarray(objects()), "}"),
      workspace_get = workspace_get(name()),
      workspace_set = workspace_set(name(), req$data %||% ""),
      workspace_delete = workspace_delete(name()),
      save_workspace = save_workspace(as.character(req$path)),
      load_workspace = load_workspace(as.character(req$path)),
      ping = '{"ok":true}',
      stop(request_error("badRequest", sprintf("unknown request type '%s'", kind))))
  }

  swallow_interrupt <- function() tryCatch(allowInterrupts(Sys.sleep(0)), interrupt = function(e) NULL)

  main <- function() {
    write_frame(js(list(type = "ready", version = R.version.string)))
    repeat {
      body <- read_frame()
      if (is.null(body)) break
      req <- tryCatch(jsonlite::parse_json(rawToChar(body)), error = function(e) NULL)
      if (!is.list(req)) quit(save = "no", status = 2L) # a frame that does not parse ends the worker
      kind <- req$type %||% ""
      if (identical(kind, "ferry_flush_interrupt")) { swallow_interrupt(); next }
      if (identical(kind, "shutdown")) break
      failed <- function(why) if (identical(kind, "execute"))
        paste0('{"success":false,"errorMessage":', jstr(why), ',"consoleOutput":"","outputParameters":[],"outputFiles":{},"changedFiles":[]}')
        else error_reply("badRequest", why)
      # A failure of the worker itself (say, a reply too large for one R string) is the call's failure.
      reply <- tryCatch(serve(req),
        ferry_request_error = function(e) error_reply(e$status, conditionMessage(e)),
        error = function(e) failed(paste0("The worker could not serve the request: ", conditionMessage(e))))
      if (nchar(reply, type = "bytes") > MAX_REPLY_BYTES || !validUTF8(reply)) {
        reply <- failed(if (validUTF8(reply)) "The reply is more than the 144 MiB a reply may have." else "The reply holds text that is not UTF-8.")
      }
      write_frame(reply)
    }
    quit(save = "no", status = 0L)
  }

  suspendInterrupts(main())
})

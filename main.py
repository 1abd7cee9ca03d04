from source_zoom.run import run

if __name__ == "__main__":
    run()

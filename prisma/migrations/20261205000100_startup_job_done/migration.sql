-- CreateTable
CREATE TABLE "StartupJobDone" (
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "doneAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StartupJobDone_pkey" PRIMARY KEY ("name","version")
);

